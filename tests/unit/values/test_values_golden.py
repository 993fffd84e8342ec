"""Golden files: what `obsctl values` writes for the dev and prod contracts, byte for byte.

The files under tests/golden/values/<case>/ were reviewed by eye once. When the output changes
on purpose, rewrite them with

    OBSCTL_UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/values/test_values_golden.py

and review the diff before committing. Without the variable these tests only compare.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from obsctl.model.contract import StackContract
from obsctl.values import ValuesOptions, write_values

from .values_support import GOLDEN, KAFKA, VARIANTS

UPDATE = os.environ.get("OBSCTL_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("case", VARIANTS)
def test_written_files_match_the_golden_files(
    case: str, tmp_path: Path, dev_contract: StackContract, prod_contract: StackContract
) -> None:
    variant = VARIANTS[case]
    contract = dev_contract if variant.env == "dev" else prod_contract
    paths = write_values(
        contract, variant.options, tmp_path, generated_by=f"obsctl values {variant.flags}"
    )
    written = {path.name: path.read_text() for path in paths}
    golden = GOLDEN / case
    if UPDATE:
        shutil.rmtree(golden, ignore_errors=True)
        golden.mkdir(parents=True)
        for name, text in written.items():
            (golden / name).write_text(text)
    expected = {path.name: path.read_text() for path in sorted(golden.iterdir())}
    assert sorted(written) == sorted(expected)
    for name, text in written.items():
        assert text == expected[name], f"{case}/{name} differs from the golden file"


def test_writing_twice_gives_the_same_bytes(tmp_path: Path, dev_contract: StackContract) -> None:
    options = ValuesOptions(kafka_address=KAFKA)
    first = {p.name: p.read_bytes() for p in write_values(dev_contract, options, tmp_path / "a")}
    second = {p.name: p.read_bytes() for p in write_values(dev_contract, options, tmp_path / "b")}
    assert first == second
