"""The four report formats: a table for people, JSON, JUnit XML and SARIF for CI systems."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from tests.unit.verify.conftest import Stack

from obsctl.verify.catalogue import CONTROLS
from obsctl.verify.model import Report, Status
from obsctl.verify.render import render


@pytest.fixture
def broken(prod: Stack) -> tuple[Stack, Report]:
    """prod with one failure (a PAB flag off) and one skipped control."""
    name = prod.bucket("mimir", "blocks")
    flags = {
        "BlockPublicAcls": False,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    prod.aws.respond(
        "s3", "get_public_access_block", {"PublicAccessBlockConfiguration": flags}, Bucket=name
    )
    return prod, prod.verify(skip={"s3.access-logging": "logs go to the org bucket"})


def test_the_table_groups_by_app_shows_failures_with_their_fix_and_ends_with_the_verdict(
    broken: tuple[Stack, Report],
) -> None:
    stack, report = broken
    text = render(report, "table")
    lines = text.splitlines()
    assert lines[-1] == report.verdict()
    assert lines[-1].startswith("FAILED: passed ")
    headings = [line for line in lines if line and not line.startswith(" ") and ":" not in line]
    assert headings == ["mimir", "loki", "tempo", "grafana", "operations", "stack"]
    failure = lines.index(next(line for line in lines if line.startswith("  FAIL")))
    assert "s3.public-access-block" in lines[failure]
    assert stack.bucket("mimir", "blocks") in lines[failure]
    assert lines[failure + 1].strip() == "BlockPublicAcls is off"
    assert lines[failure + 2].strip().startswith("fix: Turn on BlockPublicAcls")
    assert any(
        "SKIP  s3.access-logging" in line and "logs go to the org bucket" in line for line in lines
    )


def test_verbose_table_lists_every_check(prod: Stack) -> None:
    report = prod.verify()
    text = render(report, "table", verbose=True)
    assert sum(line.startswith("  PASS") for line in text.splitlines()) == len(report.results)


def test_json_has_one_result_per_check_the_summary_and_the_catalogue(
    broken: tuple[Stack, Report],
) -> None:
    _, report = broken
    document = json.loads(render(report, "json"))
    assert len(document["results"]) == len(report.results)
    assert document["summary"]["ok"] is False and document["summary"]["failed"] == 1
    assert {c["id"] for c in document["controls"]} == {c.id for c in CONTROLS}
    failure = next(r for r in document["results"] if r["status"] == "fail")
    assert failure["fsbp"] == ["S3.8"] and failure["cis"] == ["2.1.4"]
    assert failure["fix"].startswith("Turn on")
    skipped = next(r for r in document["results"] if r["status"] == "skip")
    assert skipped["skip_reason"] == "logs go to the org bucket"
    assert "lgtm-prod-123456789012-loki" in document["access_matrix"]


def test_junit_has_a_suite_per_app_and_a_case_per_check(broken: tuple[Stack, Report]) -> None:
    _, report = broken
    root = ET.fromstring(render(report, "junit"))
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(report.results)
    assert root.get("failures") == "1" and root.get("tests") == str(len(report.results))
    failed = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == [
        "s3.public-access-block lgtm-prod-123456789012-mimir-blocks"
    ]
    skipped = [c.find("skipped") for c in cases if c.find("skipped") is not None]
    assert {s.get("message") for s in skipped} == {"logs go to the org bucket"}
    assert {s.get("name") for s in root.findall("./testsuite")} == {
        f"obsctl verify prod {group}"
        for group in ("mimir", "loki", "tempo", "grafana", "operations", "stack")
    }


def test_sarif_declares_every_control_as_a_rule_and_reports_every_check(
    broken: tuple[Stack, Report],
) -> None:
    _, report = broken
    document = json.loads(render(report, "sarif"))
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [c.id for c in CONTROLS]
    assert all(float(r["properties"]["security-severity"]) > 0 for r in rules)
    results = run["results"]
    assert len(results) == len(report.results)
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    failing = [r for r in results if r["kind"] == "fail"]
    assert len(failing) == 1 and failing[0]["level"] == "error"
    assert "BlockPublicAcls is off" in failing[0]["message"]["text"]
    suppressed = [r for r in results if "suppressions" in r]
    assert {r["suppressions"][0]["justification"] for r in suppressed} == {
        "logs go to the org bucket"
    }
    assert {r["kind"] for r in results} == {"pass", "fail", "notApplicable"}
    fingerprints = [r["partialFingerprints"]["obsctlVerify/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints)


def test_informational_findings_count_as_passed(prod: Stack) -> None:
    answer = prod.aws.recorded(
        "iam", "get_role_policy", RoleName=prod.role("mimir"), PolicyName="object-storage"
    )
    answer["PolicyDocument"]["Statement"].append(
        {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}
    )
    prod.aws.respond(
        "iam", "get_role_policy", answer, RoleName=prod.role("mimir"), PolicyName="object-storage"
    )
    report = prod.verify(only=frozenset({"iam.policy-lint"}))
    assert report.counts[Status.INFO] == 1 and report.ok
    assert report.verdict() == "PASSED: passed 5 of 5 checks (1 informational)."
