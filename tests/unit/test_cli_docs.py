"""docs/cli.md and README.md say what the code does: the exit codes, every OBSCTL_* variable,
how a newcomer gets obsctl on PATH, and that the first install takes minutes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from obsctl.errors import EXIT_CODE_MEANINGS, ExitCode

REPO = Path(__file__).resolve().parents[2]
CLI_DOC = REPO / "docs" / "cli.md"
README = REPO / "README.md"


def _table(name: str) -> list[list[str]]:
    text = CLI_DOC.read_text(encoding="utf-8")
    block = text.split(f"<!-- {name} -->\n", 1)[1].split(f"<!-- /{name} -->", 1)[0]
    rows = [line for line in block.splitlines() if line.startswith("|")][2:]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def test_the_exit_code_table_is_the_code_s() -> None:
    documented = {int(code): meaning for code, meaning in _table("exit-codes")}
    assert documented == {int(code): meaning for code, meaning in EXIT_CODE_MEANINGS.items()}
    assert set(EXIT_CODE_MEANINGS) == set(ExitCode)


def test_every_obsctl_variable_is_documented_once_and_every_documented_one_exists() -> None:
    used: set[str] = set()
    for folder in ("src", "tests", "tools", "scripts"):
        for path in (REPO / folder).rglob("*.py"):
            used |= set(re.findall(r"\bOBSCTL_[A-Z_]+\b", path.read_text(encoding="utf-8")))
    documented = [row[0].strip("`") for row in _table("environment")]
    assert len(documented) == len(set(documented)), "each variable once"
    assert set(documented) == used


def test_the_readme_says_the_first_install_takes_minutes_and_how_to_get_obsctl_on_path() -> None:
    text = README.read_text(encoding="utf-8")
    assert "The first `make demo` takes a few minutes" in text
    two_commands = text.split("## The two commands", 1)[1].split("##", 1)[0]
    assert "source .venv/bin/activate" in two_commands
    assert "docs/cli.md" in text


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_ends_by_saying_how_to_get_obsctl_on_path(tmp_path: Path) -> None:
    """`make demo` with a stand-in obsctl (newer than pyproject.toml, so nothing is installed)."""
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    obsctl = venv / "bin" / "obsctl"
    obsctl.write_text("#!/bin/sh\necho 'dev stack is up'\n")
    obsctl.chmod(0o755)
    done = subprocess.run(
        ["make", "-s", "-C", str(REPO), "demo", f"VENV={venv}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    said = done.stdout.strip().splitlines()
    assert said[0] == "dev stack is up"
    assert said[-1].strip() == f"source {venv}/bin/activate"
    assert "PATH" in said[-2]
