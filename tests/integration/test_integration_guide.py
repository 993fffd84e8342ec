"""terraform/modules/INTEGRATION_EXAMPLE.md's commands run, as written, on the local AWS.

The guide marks two blocks: `<!-- flow: local -->` (run verbatim) and `<!-- flow: aws -->`
(run with `--target aws` replaced by `--target local`, the same flow on the embedded AWS).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "terraform" / "modules" / "INTEGRATION_EXAMPLE.md"
OBSCTL = shutil.which("obsctl") or str(REPO / ".venv" / "bin" / "obsctl")


def guide_commands(flow: str) -> list[list[str]]:
    text = GUIDE.read_text(encoding="utf-8")
    match = re.search(rf"<!-- flow: {flow} -->\n```sh\n(.*?)```", text, re.DOTALL)
    assert match, f"the guide has no '{flow}' command block"
    commands = [shlex.split(line) for line in match.group(1).splitlines() if line.strip()]
    assert commands and all(command[0] == "obsctl" for command in commands)
    return commands


def _run(state: Path, command: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OBSCTL_STATE_DIR": str(state)}
    return subprocess.run(
        [OBSCTL, *command[1:]], capture_output=True, text=True, env=env, timeout=900
    )


@pytest.mark.parametrize("flow", ["local", "aws"])
def test_the_guides_commands_succeed_on_the_local_aws(flow: str, tmp_path: Path) -> None:
    commands = guide_commands(flow)
    if flow == "aws":
        commands = [
            [
                ("local" if word == "aws" and command[i - 1] == "--target" else word)
                for i, word in enumerate(command)
            ]
            for command in commands
        ]
    try:
        for command in commands:
            result = _run(tmp_path, command)
            assert result.returncode == 0, (
                f"{shlex.join(command)}:\n{result.stdout}\n{result.stderr}"
            )
    finally:
        if flow == "aws":
            _run(tmp_path, ["obsctl", "down", "--env", "prod", "--force", "--yes"])
        _run(tmp_path, ["obsctl", "sandbox", "stop"])
    if flow == "local":
        assert (tmp_path / "values" / "dev" / "README.md").exists()
