"""`obsctl cost` after `obsctl up` and `obsctl plan` on the local AWS: it prices what they made
without planning again, the same as the plan of today's modules, and plans again once the
variables change."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OBSCTL = shutil.which("obsctl") or str(REPO / ".venv/bin/obsctl")
PLAN = REPO / "tests" / "fixtures" / "plan" / "dev.json"


def _obsctl(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OBSCTL_STATE_DIR": str(state)}
    return subprocess.run([OBSCTL, *args], capture_output=True, text=True, env=env, timeout=600)


def _total(completed: subprocess.CompletedProcess[str]) -> float:
    assert completed.returncode == 0, completed.stderr
    return float(json.loads(completed.stdout)["total_usd"])


def test_cost_after_up_and_plan_reuses_them_until_the_variables_change(tmp_path: Path) -> None:
    try:
        up = _obsctl(tmp_path, "up", "--json")
        assert up.returncode == 0, up.stderr
        expected = _total(_obsctl(tmp_path, "cost", "--plan-json", str(PLAN), "--json"))

        after_up = _obsctl(tmp_path, "cost", "--env", "dev", "--json")
        # up applies the plan it saved (and checked), so that plan is what cost reuses.
        assert "Pricing the plan last made for dev on the local target" in after_up.stderr
        assert _total(after_up) == expected
        assert "Plan:" not in after_up.stderr

        assert _obsctl(tmp_path, "plan", "--env", "dev").returncode == 0
        first = _obsctl(tmp_path, "cost", "--env", "dev", "--json")
        assert "Pricing the plan last made for dev on the local target" in first.stderr
        assert _total(first) == expected
        markdown = _obsctl(tmp_path, "cost", "--env", "dev", "--format", "markdown")
        assert markdown.returncode == 0 and "Pricing the plan last made" in markdown.stderr

        changed = _obsctl(
            tmp_path, "cost", "--env", "dev", "--json", "--var", "create_loki_tables=true"
        )
        assert "Pricing" not in changed.stderr  # another variable: planned again
        assert _total(changed) > expected  # with Loki's legacy index tables
    finally:
        _obsctl(tmp_path, "down", "--env", "dev", "--yes")
        _obsctl(tmp_path, "sandbox", "stop")
