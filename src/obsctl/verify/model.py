"""What a verification produces: one result per (control, resource), and the report around them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from obsctl.model.stack import Bucket, Key, Role, Table
from obsctl.verify.catalogue import CONTROLS, Control, control

# The order results are grouped in: the apps, then what the stack runs for itself.
GROUPS = ("mimir", "loki", "tempo", "grafana", "shared", "operations", "stack")


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"  # the control could not be evaluated (an API call failed)
    INFO = "info"  # informational finding (low-severity lint); counts as passed
    SKIP = "skip"  # skipped with --skip ID=REASON

    @property
    def ok(self) -> bool:
        return self in (Status.PASS, Status.INFO, Status.SKIP)


@dataclass(frozen=True)
class Subject:
    """A resource a control is evaluated on."""

    group: str  # an app, "shared" (a key used by several apps), "operations" or "stack"
    name: str  # bucket name, key ARN, role name, table name, "<role>/<policy>"
    kind: str  # "S3 bucket", "KMS key", "IAM role", "DynamoDB table", "IAM policy"
    label: str = ""  # what the table shows, when the name is long (a key's alias)

    @property
    def display(self) -> str:
        return self.label or self.name


def subject(resource: Bucket | Key | Role | Table) -> Subject:
    """The subject a control on one of the stack's resources reports on."""
    if isinstance(resource, Bucket):
        return Subject(resource.app, resource.name, "S3 bucket")
    if isinstance(resource, Key):
        return Subject(resource.app, resource.arn, "KMS key", label=resource.alias or "")
    if isinstance(resource, Role):
        return Subject(resource.app, resource.name, "IAM role")
    return Subject(resource.app, resource.name, "DynamoDB table")


@dataclass(frozen=True)
class Result:
    """The verdict of one control on one resource."""

    control_id: str
    status: Status
    subject: Subject
    found: str
    details: tuple[str, ...] = ()
    fix: str = ""  # a specific fix; the control's generic fix when empty
    skip_reason: str = ""

    @property
    def control(self) -> Control:
        return control(self.control_id)

    @property
    def remedy(self) -> str:
        return self.fix or self.control.fix

    def as_dict(self) -> dict[str, Any]:
        c = self.control
        return {
            "control": c.id,
            "title": c.title,
            "status": self.status.value,
            "severity": c.severity,
            "group": self.subject.group,
            "resource": self.subject.name,
            "resource_type": self.subject.kind,
            "found": self.found,
            "details": list(self.details),
            "fix": "" if self.status.ok else self.remedy,
            "skip_reason": self.skip_reason,
            "securityhub": list(c.securityhub),
            "fsbp": list(c.fsbp),
            "cis": list(c.cis),
            "checkov": list(c.checkov),
        }


def passed(control_id: str, subject: Subject, found: str, *details: str) -> Result:
    return Result(control_id, Status.PASS, subject, found, tuple(details))


def failed(control_id: str, subject: Subject, found: str, *details: str, fix: str = "") -> Result:
    return Result(control_id, Status.FAIL, subject, found, tuple(details), fix=fix)


def errored(control_id: str, subject: Subject, found: str) -> Result:
    return Result(
        control_id,
        Status.ERROR,
        subject,
        found,
        fix="Grant the verifier read access to this resource (or check the region) and rerun.",
    )


def judged(control_id: str, subject: Subject, problems: list[str], ok_text: str) -> Result:
    """PASS with `ok_text` when `problems` is empty, else FAIL naming the first and listing all."""
    if not problems:
        return passed(control_id, subject, ok_text)
    return failed(control_id, subject, problems[0], *problems[1:])


@dataclass
class Report:
    """Every result of one run, and what was verified."""

    environment: str
    target: str
    name_prefix: str
    results: list[Result]
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    access_matrix: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    @property
    def counts(self) -> Counter[Status]:
        return Counter(result.status for result in self.results)

    @property
    def evaluated(self) -> int:
        """Results that were checked (skips excluded)."""
        return sum(1 for r in self.results if r.status is not Status.SKIP)

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.status in (Status.PASS, Status.INFO))

    @property
    def failures(self) -> list[Result]:
        return [r for r in self.results if not r.status.ok]

    @property
    def nothing_verified(self) -> bool:
        """No check was evaluated (every control skipped, or none applies): not a pass."""
        return self.evaluated == 0

    @property
    def ok(self) -> bool:
        return not self.failures and not self.nothing_verified

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def verdict(self) -> str:
        counts = self.counts
        if self.nothing_verified:
            skipped = f" ({counts[Status.SKIP]} skipped)" if counts[Status.SKIP] else ""
            return f"NOT VERIFIED: no check ran{skipped}; a run that checks nothing is not a pass."
        extra = []
        if counts[Status.FAIL]:
            extra.append(f"{counts[Status.FAIL]} failed")
        if counts[Status.ERROR]:
            extra.append(f"{counts[Status.ERROR]} could not be checked")
        if counts[Status.INFO]:
            extra.append(f"{counts[Status.INFO]} informational")
        if counts[Status.SKIP]:
            extra.append(f"{counts[Status.SKIP]} skipped")
        tail = f" ({', '.join(extra)})" if extra else ""
        word = "PASSED" if self.ok else "FAILED"
        return f"{word}: passed {self.passed} of {self.evaluated} checks{tail}."

    def by_group(self) -> list[tuple[str, list[Result]]]:
        order = {control.id: index for index, control in enumerate(CONTROLS)}
        groups: dict[str, list[Result]] = {}
        for result in self.results:
            groups.setdefault(result.subject.group, []).append(result)
        rank = {name: index for index, name in enumerate(GROUPS)}
        return [
            (
                name,
                sorted(
                    groups[name],
                    key=lambda r: (order[r.control_id], r.subject.display),
                ),
            )
            for name in sorted(groups, key=lambda g: (rank.get(g, len(rank)), g))
        ]

    def failing(self) -> set[tuple[str, str]]:
        """(control id, resource name) of every failure: what tests compare."""
        return {(r.control_id, r.subject.name) for r in self.failures}

    def as_dict(self) -> dict[str, Any]:
        counts = self.counts
        return {
            "environment": self.environment,
            "target": self.target,
            "name_prefix": self.name_prefix,
            "summary": {
                "ok": self.ok,
                "nothing_verified": self.nothing_verified,
                "verdict": self.verdict(),
                "passed": self.passed,
                "evaluated": self.evaluated,
                "failed": counts[Status.FAIL],
                "errors": counts[Status.ERROR],
                "informational": counts[Status.INFO],
                "skipped": counts[Status.SKIP],
                "seconds": round(self.seconds, 3),
            },
            "results": [result.as_dict() for result in self.results],
            "access_matrix": self.access_matrix,
            "notes": list(self.notes),
        }
