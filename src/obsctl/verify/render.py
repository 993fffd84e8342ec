"""Reports for people (a table grouped by app) and for CI systems (JSON, JUnit XML, SARIF 2.1.0).

Every machine format carries one entry per check (control x resource), skips included with their
reason, so dashboards can show what was verified and what was waived.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from obsctl import __version__
from obsctl.verify.catalogue import CONTROLS, Control
from obsctl.verify.model import Report, Result, Status

FORMATS = ("table", "json", "junit", "sarif")
_LABEL = {
    Status.PASS: "PASS",
    Status.FAIL: "FAIL",
    Status.ERROR: "ERROR",
    Status.INFO: "INFO",
    Status.SKIP: "SKIP",
}
_PLURAL = {
    "S3 bucket": "buckets",
    "KMS key": "keys",
    "IAM role": "roles",
    "IAM policy": "policies",
    "DynamoDB table": "tables",
}


def render(report: Report, fmt: str, *, verbose: bool = False) -> str:
    renderers: dict[str, Callable[[Report], str]] = {
        "table": lambda r: render_table(r, verbose=verbose),
        "json": render_json,
        "junit": render_junit,
        "sarif": render_sarif,
    }
    return renderers[fmt](report)


# -- table -----------------------------------------------------------------------------------


def render_table(report: Report, *, verbose: bool = False) -> str:
    """Per app: one line per control that passed everywhere, full detail for everything else."""
    lines = [
        f"obsctl verify: {report.environment} ({report.name_prefix}) on the {report.target} "
        f"target, {len(report.results)} checks in {report.seconds:.1f} s"
    ]
    width = max((len(c.id) for c in CONTROLS), default=20) + 2
    for group, results in report.by_group():
        lines += ["", group]
        by_control: dict[str, list[Result]] = {}
        for result in results:
            by_control.setdefault(result.control_id, []).append(result)
        for control_id, items in by_control.items():
            lines += _control_lines(control_id, items, width, verbose)
    lines.append("")
    lines += [f"note: {note}" for note in report.notes]
    lines.append(report.verdict())
    return "\n".join(lines)


def _count(items: list[Result]) -> str:
    kinds = {item.subject.kind for item in items}
    if len(items) == 1:
        return f"1 {items[0].subject.kind}"
    plural = _PLURAL.get(kinds.pop(), "resources") if len(kinds) == 1 else "resources"
    return f"{len(items)} {plural}"


def _control_lines(control_id: str, items: list[Result], width: int, verbose: bool) -> list[str]:
    lines: list[str] = []
    passes = [r for r in items if r.status is Status.PASS]
    skips = [r for r in items if r.status is Status.SKIP]
    others = [r for r in items if r.status not in (Status.PASS, Status.SKIP)]
    if skips:
        lines.append(f"  SKIP  {control_id:<{width}}{_count(skips)}: {skips[0].skip_reason}")
    if passes and not verbose:
        found = f" ({passes[0].found})" if len(passes) == 1 and passes[0].found else ""
        lines.append(f"  PASS  {control_id:<{width}}{_count(passes)}{found}")
    for result in (passes if verbose else []) + others:
        label = _LABEL[result.status]
        lines.append(f"  {label:<5} {control_id:<{width}}{result.subject.display}")
        indent = " " * (8 + width)
        lines.append(f"{indent}{result.found}")
        lines += [f"{indent}- {detail}" for detail in result.details]
        if not result.status.ok:
            lines.append(f"{indent}fix: {result.remedy}")
    return lines


# -- JSON ------------------------------------------------------------------------------------


def control_dict(control: Control) -> dict[str, Any]:
    return {
        "id": control.id,
        "title": control.title,
        "resource_type": control.resource_type,
        "severity": control.severity,
        "fix": control.fix,
        "securityhub": list(control.securityhub),
        "fsbp": list(control.fsbp),
        "cis": list(control.cis),
        "checkov": list(control.checkov),
        "source": control.source,
    }


def render_json(report: Report) -> str:
    document = report.as_dict()
    document["controls"] = [control_dict(c) for c in CONTROLS]
    return json.dumps(document, indent=2)


# -- JUnit XML -------------------------------------------------------------------------------


def render_junit(report: Report) -> str:
    """One <testsuite> per app, one <testcase> per check."""
    suites = ET.Element("testsuites", name="obsctl verify")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for group, results in report.by_group():
        suite = ET.SubElement(
            suites, "testsuite", name=f"obsctl verify {report.environment} {group}"
        )
        counts = {
            "tests": len(results),
            "failures": sum(r.status is Status.FAIL for r in results),
            "errors": sum(r.status is Status.ERROR for r in results),
            "skipped": sum(r.status is Status.SKIP for r in results),
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", "0")
        for result in results:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"obsctl.verify.{report.environment}.{group}",
                name=f"{result.control_id} {result.subject.name}",
                time="0",
            )
            body = "\n".join([result.found, *result.details, f"fix: {result.remedy}"])
            if result.status is Status.FAIL:
                ET.SubElement(
                    case, "failure", message=result.found, type=result.control_id
                ).text = body
            elif result.status is Status.ERROR:
                ET.SubElement(
                    case, "error", message=result.found, type=result.control_id
                ).text = body
            elif result.status is Status.SKIP:
                ET.SubElement(case, "skipped", message=result.skip_reason)
            else:
                ET.SubElement(case, "system-out").text = "\n".join([result.found, *result.details])
    for key, value in totals.items():
        suites.set(key, str(value))
    suites.set("time", f"{report.seconds:.3f}")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")


# -- SARIF 2.1.0 -----------------------------------------------------------------------------

_SECURITY_SEVERITY = {"high": "8.0", "medium": "5.0", "low": "2.0"}
_LEVEL = {"high": "error", "medium": "warning", "low": "note"}


def _rule(control: Control) -> dict[str, Any]:
    tags = ["security", "aws", control.family]
    tags += [item for item in control.mappings.split(", ") if item]
    return {
        "id": control.id,
        "name": "".join(part.capitalize() for part in control.id.replace("-", ".").split(".")),
        "shortDescription": {"text": control.title},
        "fullDescription": {
            "text": control.title + (f" ({control.mappings})" if control.mappings else "")
        },
        "help": {"text": control.fix},
        "defaultConfiguration": {"level": _LEVEL[control.severity]},
        "properties": {
            "tags": tags,
            "security-severity": _SECURITY_SEVERITY[control.severity],
            "checkov": list(control.checkov),
        },
    }


def _sarif_result(report: Report, result: Result, index: dict[str, int]) -> dict[str, Any]:
    control = result.control
    kind, level = {
        Status.PASS: ("pass", "none"),
        Status.INFO: ("informational", "none"),
        Status.SKIP: ("notApplicable", "none"),
        Status.FAIL: ("fail", _LEVEL[control.severity]),
        Status.ERROR: ("fail", "error"),
    }[result.status]
    text = f"{result.subject.name}: {result.found}"
    if not result.status.ok:
        text += f" Fix: {result.remedy}"
    fingerprint = hashlib.sha256(
        f"{report.environment}/{result.control_id}/{result.subject.name}".encode()
    ).hexdigest()
    entry: dict[str, Any] = {
        "ruleId": control.id,
        "ruleIndex": index[control.id],
        "kind": kind,
        "level": level,
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": control.source, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 1},
                },
                "logicalLocations": [
                    {
                        "name": result.subject.name,
                        "fullyQualifiedName": "/".join(
                            (report.environment, result.subject.group, result.subject.name)
                        ),
                        "kind": "resource",
                    }
                ],
            }
        ],
        "partialFingerprints": {"obsctlVerify/v1": fingerprint},
        "properties": {
            "group": result.subject.group,
            "resourceType": result.subject.kind,
            "details": list(result.details),
        },
    }
    if result.status is Status.SKIP:
        entry["suppressions"] = [{"kind": "external", "justification": result.skip_reason}]
    return entry


def render_sarif(report: Report) -> str:
    index = {control.id: position for position, control in enumerate(CONTROLS)}
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "obsctl-verify",
                        "version": __version__,
                        "rules": [_rule(control) for control in CONTROLS],
                    }
                },
                "automationDetails": {"id": f"obsctl-verify/{report.environment}/"},
                "results": [_sarif_result(report, r, index) for r in report.results],
                "properties": {"verdict": report.verdict(), "target": report.target},
            }
        ],
    }
    return json.dumps(document, indent=2)


def render_controls() -> str:
    """The catalogue, for `obsctl verify --list-controls`."""
    width = max(len(c.id) for c in CONTROLS) + 2
    lines = []
    for control in CONTROLS:
        mapped = f"  [{control.mappings}]" if control.mappings else ""
        lines.append(f"{control.id:<{width}}{control.title}{mapped}")
    return "\n".join(lines)
