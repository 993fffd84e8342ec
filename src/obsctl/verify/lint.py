"""parliament: lint the permission policies.

Only permission policies are linted: parliament has no trust-policy mode and misreads them (B8).
Findings of high or critical severity fail `iam.policy-lint`; the rest are informational. (Which
actions exist and which can be scoped to a resource comes from `vocabulary`, not from here.)
"""

from __future__ import annotations

import json
import threading
import warnings
from dataclasses import dataclass
from typing import Any

from obsctl.model.stack import Role
from obsctl.verify.collect import PolicyDocument, RoleLive
from obsctl.verify.model import Result, Status, Subject, errored, subject

FAILING_SEVERITIES = frozenset({"HIGH", "CRITICAL"})
_LOCK = threading.Lock()


def parliament() -> Any:
    """The parliament module, imported once (it loads a large JSON database, about 1 s)."""
    with _LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pkg_resources deprecation notices on import
        import parliament as module

    return module


@dataclass(frozen=True)
class Finding:
    issue: str
    severity: str
    title: str
    detail: str

    def describe(self) -> str:
        detail = self.detail if isinstance(self.detail, str) else json.dumps(self.detail)
        if len(detail) > 160:
            detail = detail[:157] + "..."
        return f"{self.severity} {self.issue}: {self.title}" + (f" ({detail})" if detail else "")


def lint(document: dict[str, Any]) -> list[Finding]:
    module = parliament()
    with _LOCK:
        analysed = module.analyze_policy_string(json.dumps(document))
        findings = []
        for finding in analysed.findings:
            module.enhance_finding(finding)
            findings.append(
                Finding(
                    finding.issue,
                    str(finding.severity or "").upper(),
                    str(finding.title or ""),
                    finding.detail
                    if isinstance(finding.detail, str)
                    else json.dumps(finding.detail, default=str),
                )
            )
    return findings


def check_policy(role: Role, policy: PolicyDocument) -> Result:
    cid = "iam.policy-lint"
    subject = Subject(
        role.app,
        f"{role.name}/{policy.name}",
        "IAM policy",
        label=f"{role.name} {policy.kind} policy {policy.name}",
    )
    findings = lint(policy.document)
    if not findings:
        return Result(cid, Status.PASS, subject, "parliament reports nothing")
    details = tuple(finding.describe() for finding in findings)
    severe = [f for f in findings if f.severity in FAILING_SEVERITIES]
    if severe:
        return Result(cid, Status.FAIL, subject, severe[0].describe(), details)
    return Result(
        cid,
        Status.INFO,
        subject,
        f"{len(findings)} finding(s) below high severity: {findings[0].describe()}",
        details,
    )


def check_role(role: Role, live: RoleLive) -> list[Result]:
    for answer in (live.inline, live.attached):
        if not answer.ok:
            return [
                errored(
                    "iam.policy-lint",
                    subject(role),
                    f"could not read its policies ({answer.describe_error()})",
                )
            ]
    return [check_policy(role, policy) for policy in live.permission_policies()]
