"""Which function checks which rows of the table (one function may check several)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from obsctl.limits.view import PlanView

Check = Callable[["PlanView"], None]

CHECKS: dict[str, Check] = {}


def checks(*row_ids: str) -> Callable[[Check], Check]:
    """Register `function` as the plan check of `row_ids`."""

    def register(function: Check) -> Check:
        for row_id in row_ids:
            if row_id in CHECKS:
                raise ValueError(f"{row_id} is checked twice")
            CHECKS[row_id] = function
        return function

    return register


def functions() -> list[Check]:
    """Each registered function once, in registration order."""
    return list(dict.fromkeys(CHECKS.values()))
