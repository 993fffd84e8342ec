"""pyproject.toml installs quietly: the license is an SPDX expression, not a deprecated table."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_license_is_an_spdx_string_that_setuptools_reads_without_a_banner() -> None:
    project = _pyproject()
    assert project["project"]["license"] == "Apache-2.0"
    # setuptools before 77 rejects a string license; 77 and later warn about a table.
    requires = project["build-system"]["requires"]
    assert "setuptools>=77" in requires
