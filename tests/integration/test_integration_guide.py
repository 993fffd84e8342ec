"""terraform/modules/INTEGRATION_EXAMPLE.md's commands run, as written, on the local AWS.

The guide marks two blocks: `<!-- flow: local -->` (typed verbatim into a reader's shell,
`tests/integration/terminal.py`) and `<!-- flow: aws -->` (typed with `--target aws` replaced by
`--target local`: the same flow on the embedded AWS, after the guide's own first line that puts
obsctl on PATH).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.integration.terminal import Terminal, commands, reader_environment

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "terraform" / "modules" / "INTEGRATION_EXAMPLE.md"


def guide_block(flow: str) -> str:
    text = GUIDE.read_text(encoding="utf-8")
    match = re.search(rf"<!-- flow: {flow} -->\n```sh\n(.*?)```", text, re.DOTALL)
    assert match, f"the guide has no '{flow}' command block"
    return match.group(1)


def test_the_guide_puts_obsctl_on_path_before_its_first_obsctl_command() -> None:
    first = commands(guide_block("local"))
    assert first[0] == "source .venv/bin/activate"
    assert all(command.startswith("obsctl ") for command in first[1:])
    assert all(command.startswith("obsctl ") for command in commands(guide_block("aws")))


@pytest.mark.parametrize("flow", ["local", "aws"])
def test_the_guides_commands_succeed_on_the_local_aws(flow: str, tmp_path: Path) -> None:
    terminal = Terminal(reader_environment(OBSCTL_STATE_DIR=str(tmp_path)))
    try:
        if flow == "local":
            terminal.run(guide_block("local"))
        else:
            terminal.run(commands(guide_block("local"))[0])  # the guide's first line: PATH
            terminal.run(guide_block("aws").replace("--target aws", "--target local"))
    finally:
        if flow == "aws":
            terminal.type("obsctl down --env prod --force --yes")
        terminal.type("obsctl sandbox stop --force")
        terminal.close()
    if flow == "local":
        assert (tmp_path / "values" / "dev" / "README.md").exists()
