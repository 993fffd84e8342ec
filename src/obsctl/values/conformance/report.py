"""`obsctl values --check` output: one line per failure, chart limitations grouped, a verdict;
or the same as JSON."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from obsctl.values.conformance.findings import Finding, failures
from obsctl.values.conformance.identity import HOLDS_A_ROLE
from obsctl.values.conformance.suite import CheckReport


def _limitation_lines(findings: list[Finding]) -> list[str]:
    """Pods a chart runs under the role's account, one line per app and account."""
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    other = []
    for finding in findings:
        workload, sep, rest = finding.message.partition(f" {HOLDS_A_ROLE} ")
        if not sep:
            other.append(f"NOTE {finding.app} {finding.check}: {finding.message}")
            continue
        grouped[(finding.app, rest)].append(workload)
    lines = [
        f"NOTE {app} identity: {', '.join(pods)} never call AWS but run as {rest}"
        for (app, rest), pods in grouped.items()
    ]
    return lines + other


def report_text(report: CheckReport, environment: str) -> str:
    if report.charts:
        charts = ", ".join(f"{c.name} {c.version}" for c in report.charts.values())
        lines = [f"Checked the {environment} stack's Helm values as rendered by {charts}."]
    else:
        lines = [f"Checked the {environment} stack's application configuration files."]
    failed = failures(report.findings)
    lines += [f"FAIL {f.app} {f.check}: {f.message}" for f in failed]
    lines += _limitation_lines([f for f in report.findings if f.limitation])
    if failed:
        lines.append(f"{len(failed)} failure{'s' if len(failed) > 1 else ''}.")
    else:
        lines.append("No failure: every check passed.")
    return "\n".join(lines)


def report_json(report: CheckReport, environment: str) -> dict[str, Any]:
    return {
        "environment": environment,
        "charts": {app: {"name": c.name, "version": c.version} for app, c in report.charts.items()},
        "ok": not failures(report.findings),
        "findings": [
            {
                "app": f.app,
                "check": f.check,
                "message": f.message,
                "limitation": f.limitation,
            }
            for f in report.findings
        ],
    }
