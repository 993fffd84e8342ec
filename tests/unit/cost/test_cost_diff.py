"""`obsctl cost --compare-to PLAN.json`: the cost of the change between two plans, per resource,
in every format (what a pull request comment shows)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from obsctl.cli import main
from obsctl.errors import ExitCode

PLANS = Path(__file__).resolve().parents[2] / "fixtures" / "plan"
PROD = PLANS / "prod.json"
ALARM = "aws_cloudwatch_metric_alarm"


def base_plan(tmp_path: Path) -> Path:
    """prod before the change: no alarms yet, and Mimir kept 200 days instead of 395."""
    plan: dict[str, Any] = json.loads(PROD.read_text())

    def drop_alarms(module: dict[str, Any]) -> None:
        module["resources"] = [r for r in module.get("resources", []) if r["type"] != ALARM]
        for child in module.get("child_modules", []):
            drop_alarms(child)

    drop_alarms(plan["planned_values"]["root_module"])
    plan["output_changes"]["settings"]["after"]["retention_days"]["mimir"] = 200
    path = tmp_path / "base.json"
    path.write_text(json.dumps(plan))
    return path


def cost(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["cost", "--env", "prod", "--plan-json", str(PROD), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_change_is_priced_per_resource_and_adds_up(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    base = base_plan(tmp_path)
    code, out, err = cost(capsys, "--compare-to", str(base), "--json")
    assert (code, err) == (0, "")
    change = json.loads(out)
    # The two sides are the two plans' own estimates.
    main(["cost", "--env", "prod", "--plan-json", str(PROD), "--json"])
    after = json.loads(capsys.readouterr().out)["total_usd"]
    main(["cost", "--env", "prod", "--plan-json", str(base), "--json"])
    before = json.loads(capsys.readouterr().out)["total_usd"]
    assert (change["before_total_usd"], change["after_total_usd"]) == (
        pytest.approx(before),
        pytest.approx(after),
    )
    assert change["delta_usd"] == pytest.approx(after - before)
    assert sum(item["delta_usd"] for item in change["resources"]) == pytest.approx(after - before)
    by_change: dict[str, list[dict[str, Any]]] = {}
    for item in change["resources"]:
        by_change.setdefault(item["change"], []).append(item)
    # Three alarms added at $0.10 a metric-month each; none removed.
    added = by_change["added"]
    assert [item["service"] for item in added] == ["CloudWatch"] * 3
    assert all(item["delta_usd"] == pytest.approx(0.10) for item in added)
    assert "removed" not in by_change
    # 195 more days of Mimir blocks in Standard-IA cost more; nothing else changed much.
    (blocks,) = [item for item in by_change["changed"] if item["resource"].endswith("blocks")]
    assert blocks["app"] == "mimir" and blocks["after_usd"] > blocks["before_usd"]
    assert change["by_app"]["mimir"]["delta_usd"] == pytest.approx(
        sum(i["delta_usd"] for i in change["resources"] if i["app"] == "mimir")
    )


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_every_format_leads_with_the_change_and_carries_the_new_plans_warnings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    usage = tmp_path / "usage.yaml"
    usage.write_text("preset: medium\ntempo: {retention_days: 28}\n")
    code, out, _ = cost(
        capsys, "--compare-to", str(base_plan(tmp_path)), "--usage", str(usage), "--format", fmt
    )
    assert code == 0
    assert "Monthly cost change: +" in out
    assert "Data loss: lgtm-prod-123456789012-tempo-traces" in out
    assert "lgtm-prod-123456789012-mimir-blocks" in out


def test_comparing_a_plan_with_itself_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cost(capsys, "--compare-to", str(PROD))
    assert code == 0
    assert out.startswith("Monthly cost change: +0.00 USD a month (+0%)")
    assert "No resource changes cost." in out


def test_compare_and_compare_to_are_one_comparison_at_a_time(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = cost(capsys, "--compare-to", str(PROD), "--compare")
    assert code == ExitCode.USAGE and "give one of them" in err
    code, _, err = cost(capsys, "--compare-to", "/nonexistent/base.json")
    assert code == ExitCode.USAGE and "does not exist" in err
