"""docs/verify.md and docs/cost.md: their blocks marked "runs in CI" are typed, as written, into a
reader's shell (`tests/integration/terminal.py`) at the repository root, each guide on a local
AWS of its own (the test run's OBSCTL_STATE_DIR is the only thing the shell gets that a reader's
would not hold).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.integration.terminal import Terminal, commands, reader_environment

REPO = Path(__file__).resolve().parents[2]
# What the cost guide's commands write, relative to the repository root.
COST_GUIDE_FILES = (
    "plan.json",
    "pr.json",
    "comment.md",
    "cost.html",
    "terraform/envs/prod/prod.tfplan",
    "terraform/envs/prod/pr.tfplan",
)


def runnable_block(guide: str) -> str:
    text = (REPO / "docs" / guide).read_text(encoding="utf-8")
    (block,) = re.findall(r"<!-- runs in CI -->\n```sh\n(.*?)```", text, re.DOTALL)
    return block


@pytest.mark.parametrize("guide", ["verify.md", "cost.md"])
def test_the_guide_puts_obsctl_on_path_first_and_runs_obsctl_on_the_local_aws(guide: str) -> None:
    first, *rest = commands(runnable_block(guide))
    assert first.startswith("source .venv/bin/activate")
    assert all(command.startswith("obsctl ") for command in rest), rest
    assert not any("--target aws" in command for command in rest)


def _reader(tmp_path: Path) -> Terminal:
    return Terminal(reader_environment(OBSCTL_STATE_DIR=str(tmp_path / "state")))


def test_the_verify_guide_runs_on_the_local_aws(tmp_path: Path) -> None:
    terminal = _reader(tmp_path)
    try:
        said = {}
        for command in commands(runnable_block("verify.md")):
            status, said[command.split("#")[0].strip()] = terminal.type(command)
            assert status == 0, f"`{command}` exited {status}:\n{said}"
        assert "PASSED" in said["obsctl verify"]
        assert "s3.access-logging" in said["obsctl verify --list-controls"]
    finally:
        terminal.type("obsctl sandbox stop --force")
        terminal.close()


def test_the_cost_guide_runs_on_the_local_aws(tmp_path: Path) -> None:
    written = [REPO / name for name in COST_GUIDE_FILES]
    already = [path for path in written if path.exists()]
    assert not already, f"the guide would overwrite {already}"
    terminal = _reader(tmp_path)
    try:
        terminal.run(runnable_block("cost.md"))
        plan = json.loads((REPO / "plan.json").read_text())
        assert plan["variables"]["retention_days"]["value"]["mimir"] == 395
        pr = json.loads((REPO / "pr.json").read_text())
        assert pr["variables"]["retention_days"]["value"]["mimir"] == 90
        assert "|---" in (REPO / "comment.md").read_text()
        assert (REPO / "cost.html").read_text().startswith("<!DOCTYPE html>")
    finally:
        terminal.type("obsctl sandbox stop --force")
        terminal.close()
        for path in written:
            path.unlink(missing_ok=True)
