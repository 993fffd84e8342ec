"""The project stands alone: no path of one particular machine, no file it does not ship."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Folders of the machines the project was built on; a user has none of them.
MACHINE_PATH = re.compile(r"(?<![\w.~-])/(?:work|opt|root|home|tmp/ceo)/")
THIS_FILE = Path(__file__).resolve().relative_to(REPO).as_posix()


def _tracked_text_files() -> list[Path]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files are unknown")
    files = []
    for name in filter(None, listed.split("\0")):
        path = REPO / name
        if name == THIS_FILE or not path.is_file() or name.startswith("tests/fixtures/"):
            continue
        try:
            path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        files.append(path)
    return files


def test_no_tracked_file_names_a_folder_of_one_particular_machine() -> None:
    found = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in _tracked_text_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if MACHINE_PATH.search(line)
    ]
    assert not found, "\n".join(found)


def test_no_tracked_file_cites_a_design_document_the_repository_does_not_hold() -> None:
    if (REPO / "DESIGN.md").exists():
        pytest.skip("the repository holds a DESIGN.md")
    found = [
        f"{path.relative_to(REPO)}:{number}"
        for path in _tracked_text_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "DESIGN.md" in line
    ]
    assert not found, ", ".join(found)
