"""The plan fixtures are what today's env roots plan.

tests/fixtures/plan/{dev,prod}.json feed the cost tests and docs/cost.md. They are recorded by
scripts/record_fixtures.py; this test plans both env roots again on a throwaway local AWS (one
plan each, no apply) and fails, naming the resources and outputs, when the modules now plan
anything else.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_plan_fixtures_are_what_the_env_roots_plan_today(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "record_fixtures.py"), "plans", "--check"],
        capture_output=True,
        text=True,
        env={**os.environ, "OBSCTL_STATE_DIR": str(tmp_path)},
        check=False,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
