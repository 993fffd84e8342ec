"""What the plan check finds: a violation (one sentence each), or a value known only after apply.

A violation names the resource, the limit, the value and the input to change, in one sentence.
`LimitsError` carries all of them out of `obsctl plan` and `obsctl up` as one error: the
sentences, a hint, and (with -v) each limit's AWS page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from obsctl.errors import UsageError
from obsctl.limits.table import Limit


@dataclass(frozen=True)
class Violation:
    """A value of the plan that AWS would refuse (or, for obsctl's own rows, never apply)."""

    row: Limit
    address: str  # the resource of the plan it is about
    sentence: str


@dataclass(frozen=True)
class Deferred:
    """A value the plan knows only after apply: AWS (and the local AWS) check it then."""

    row: Limit
    address: str
    reason: str


@dataclass
class Findings:
    violations: list[Violation] = field(default_factory=list)
    deferred: list[Deferred] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def rows(self) -> list[Limit]:
        """The rows the violations break, once each, in the table's order of first break."""
        seen: dict[str, Limit] = {}
        for violation in self.violations:
            seen.setdefault(violation.row.id, violation.row)
        return list(seen.values())

    def refusal(self) -> LimitsError:
        return LimitsError(self.violations)


class Refused(Protocol):
    @property
    def sentence(self) -> str: ...


class LimitsError(UsageError):
    """One sentence per violation (and per name taken already); nothing was created, as the
    checks run between the plan and its apply."""

    def __init__(self, violations: Iterable[Violation], taken: Iterable[Refused] = ()) -> None:
        self.violations = list(violations)
        self.taken = list(taken)
        sentences = [item.sentence for item in (*self.violations, *self.taken)]
        if len(sentences) == 1:
            message = sentences[0]
        else:
            message = f"AWS would refuse {len(sentences)} things in this plan:\n" + "\n".join(
                f"  - {sentence}" for sentence in sentences
            )
        rows: dict[str, Limit] = {}
        for violation in self.violations:
            rows.setdefault(violation.row.id, violation.row)
        detail = "\n".join(
            f'{row.id}: {row.title} ({row.source.url}): "{row.source.quote}"'
            for row in rows.values()
        )
        super().__init__(
            message,
            hint="Nothing was created. Every limit and the AWS page it comes from: "
            "docs/limits.md (with -v, obsctl prints the pages of these).",
            detail=detail or None,
        )
