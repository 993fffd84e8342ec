"""parliament: lint the permission policies, and know which actions AWS can scope to a resource.

parliament's IAM database (scraped from the AWS Service Authorization Reference) says for every
action which resource types it accepts; an action with none can only be granted on `*`. Only
permission policies are linted: parliament has no trust-policy mode and misreads them (B8).
Findings of high or critical severity fail `iam.policy-lint`; the rest are informational.
"""

from __future__ import annotations

import json
import threading
import warnings
from dataclasses import dataclass
from functools import lru_cache
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


@lru_cache(maxsize=1)
def _resource_scoped() -> dict[str, dict[str, tuple[str, bool]]]:
    """prefix -> lowercased action -> (its name, whether it accepts a resource type)."""
    table: dict[str, dict[str, tuple[str, bool]]] = {}
    for service in parliament().iam_definition:
        actions = table.setdefault(service["prefix"], {})
        for privilege in service["privileges"]:
            name = privilege["privilege"]
            scoped = any(item.get("resource_type") for item in privilege.get("resource_types", []))
            before = actions.get(name.lower(), (name, False))[1]
            actions[name.lower()] = (name, before or scoped)
    return table


def scopable_actions(pattern: str) -> list[str] | None:
    """The actions `pattern` (wildcards allowed) grants that AWS can scope; None if unknown."""
    from fnmatch import fnmatchcase

    service, _, name = (pattern if pattern != "*" else "*:*").partition(":")
    table = _resource_scoped()
    services = table if service == "*" else {service.lower(): table.get(service.lower())}
    found: list[str] = []
    known = False
    for prefix, actions in services.items():
        if actions is None:
            continue
        for action, (proper, scoped) in actions.items():
            if fnmatchcase(action, name.lower()):
                known = True
                if scoped:
                    found.append(f"{prefix}:{proper}")
    return sorted(found) if known else None


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
