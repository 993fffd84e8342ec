"""prod's Mimir blocks tiering, decided by the cost model (tools/mimir_tiering.py): the guide's
table is the model's output, the decision follows from it, and prod applies it."""

from __future__ import annotations

from pathlib import Path

from obsctl.model import plan_stack, read_plan
from obsctl.model.lifecycle import Transition
from tools import mimir_tiering

REPO = Path(__file__).resolve().parents[2]


def test_the_guides_table_is_the_cost_models_output() -> None:
    assert mimir_tiering.main(["--check"]) == 0


def test_standard_ia_never_costs_more_than_1_percent_over_standard_but_glacier_ir_can() -> None:
    rows = mimir_tiering.rows()
    assert len(rows) == 12
    for row in rows:
        standard, ia, _ = row.usd
        assert ia <= standard * 1.01, row
    spread = [row for row in rows if row.window == "whole retention"]
    assert max(row.usd[2] / row.usd[0] for row in spread) > 3  # old blocks read in 16 KB GETs
    assert any(row.usd[2] > row.usd[1] for row in spread if row.get_kb == 256)  # even large GETs


def test_prod_applies_standard_ia_at_30_days_and_nothing_after() -> None:
    main_tf = (REPO / "terraform" / "envs" / "prod" / "main.tf").read_text()
    assert 'mimir = [{ days = 30, storage_class = "STANDARD_IA" }]' in main_tf
    assert "GLACIER" not in main_tf
    stack = plan_stack(read_plan(mimir_tiering.PLAN))  # the recorded prod plan
    blocks = next(b for b in stack.buckets if (b.app, b.store) == ("mimir", "blocks"))
    assert blocks.lifecycle.policy_for("anonymous/", 1e9).transitions == (
        Transition(30, "STANDARD_IA"),
    )
