"""The status line while Terraform initialises and plans, and where its warnings go."""

from __future__ import annotations

import io
from pathlib import Path

from obsctl.terraform.activity import Activity
from obsctl.terraform.errors import Diagnostic

WARNING = {"type": "diagnostic", "diagnostic": {"severity": "warning", "summary": "deprecated"}}


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_off_a_terminal_each_init_and_plan_prints_one_line_when_it_starts(tmp_path: Path) -> None:
    log = io.StringIO()
    activity = Activity(log)
    for args in (["init"], ["plan"], ["apply", "-auto-approve"], ["apply", "p.tfplan"], ["show"]):
        activity.started(args, tmp_path)
        activity.event({"type": "planned_change"})
        activity.finished()
    assert log.getvalue().splitlines() == [
        f"Terraform is initialising in {tmp_path}...",
        f"Terraform is planning in {tmp_path}...",
        f"Terraform is planning in {tmp_path}...",  # apply -auto-approve plans first
    ]


def test_on_a_terminal_the_line_counts_what_was_read_and_is_cleared_at_the_end(
    tmp_path: Path,
) -> None:
    terminal = _Terminal()
    activity = Activity(terminal)
    activity.started(["plan"], tmp_path)
    activity.event({"type": "refresh_complete"})
    activity.event({"type": "refresh_complete"})
    assert terminal.getvalue().endswith(", 2 resources read (0 s)")
    activity.event({"type": "change_summary"})  # the plan is done: the line goes
    assert terminal.getvalue().endswith("\r\x1b[2K")
    activity.event({"type": "refresh_complete"})
    assert terminal.getvalue().endswith("\r\x1b[2K"), "nothing drawn once finished"


def test_warnings_reach_on_warning_and_errors_do_not() -> None:
    seen: list[Diagnostic] = []
    activity = Activity(None, on_warning=seen.append)
    activity.event(WARNING)
    activity.event({"type": "diagnostic", "diagnostic": {"severity": "error", "summary": "x"}})
    assert [d.summary for d in seen] == ["deprecated"]
