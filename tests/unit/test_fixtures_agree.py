"""The applied fixtures (contracts, verify recordings) agree with the plan fixtures.

The plan fixtures are checked against the modules (tests/integration/test_fixtures.py); every
output value a plan already knows must be the same in what was recorded after the apply, so
the fixtures the values and verify tests read follow the modules too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from obsctl.model.tfjson import UNKNOWN, TerraformJSON, output_values

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "values"
VERIFY = Path(__file__).resolve().parent / "verify" / "fixtures"
# Identifiers the local AWS draws at random for each recording: key ids, the cluster's OIDC id.
RANDOM = re.compile(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}|(?<=/id/)[A-Za-z0-9]+")


def _known(planned: Any, applied: Any, path: str = "") -> list[str]:
    """Paths where `applied` differs from a value `planned` already knew."""
    if planned == UNKNOWN:
        return []
    if isinstance(planned, dict) and isinstance(applied, dict):
        return [
            problem
            for key in planned.keys() | applied.keys()
            for problem in _known(planned.get(key), applied.get(key), f"{path}.{key}")
        ]
    if isinstance(planned, list) and isinstance(applied, list) and len(planned) == len(applied):
        return [
            problem
            for index, (a, b) in enumerate(zip(planned, applied, strict=True))
            for problem in _known(a, b, f"{path}[{index}]")
        ]
    if isinstance(planned, str) and isinstance(applied, str):
        planned, applied = RANDOM.sub("*", planned), RANDOM.sub("*", applied)
    return [] if planned == applied else [path]


def _planned(env: str) -> dict[str, Any]:
    return TerraformJSON(json.loads((FIXTURES / "plan" / f"{env}.json").read_text())).outputs()


@pytest.mark.parametrize(
    ("env", "recorded", "outputs"),
    [
        ("dev", FIXTURES / "contract" / "dev.json", None),
        ("prod", GOLDEN / "prod-contract.json", None),
        ("dev", VERIFY / "dev.json", "outputs"),
        ("prod", VERIFY / "prod.json", "outputs"),
    ],
)
def test_the_recorded_outputs_are_what_the_plan_fixture_plans(
    env: str, recorded: Path, outputs: str | None
) -> None:
    document = json.loads(recorded.read_text())
    applied = output_values(document[outputs] if outputs else document)
    planned = _planned(env)
    if outputs:  # the verify stacks run with the legacy tables (and their alarms) on
        for name in ("dynamodb_tables", "settings", "operations"):
            planned.pop(name), applied.pop(name)
    assert _known(planned, applied) == []
