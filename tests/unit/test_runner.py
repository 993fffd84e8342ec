"""The Terraform runner against a fake terraform: events, diagnostics, exit codes, interrupts."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from obsctl.errors import ExitCode
from obsctl.terraform.errors import Diagnostic
from obsctl.terraform.plansummary import PlanSummary
from obsctl.terraform.progress import ApplyProgress
from obsctl.terraform.runner import Terraform, TerraformError, TerraformInterruptedError

FAKE = Path(__file__).with_name("fake_terraform.py")


def _fake(tmp_path: Path, scenario: dict) -> Terraform:
    launcher = tmp_path / "terraform"
    launcher.write_text(f'#!/bin/sh\nexec {sys.executable} {FAKE} "$@"\n')
    launcher.chmod(0o755)
    scenario_file = tmp_path / "scenario.json"
    scenario_file.write_text(json.dumps(scenario))
    env = {**os.environ, "FAKE_TF_SCENARIO": str(scenario_file)}
    return Terraform(launcher, tmp_path, env)


def _calls(tmp_path: Path) -> list[list[str]]:
    lines = (tmp_path / "scenario.json.calls").read_text().splitlines()
    return [json.loads(line) for line in lines]


def _diagnostic(summary: str, detail: str = "", address: str | None = None) -> dict:
    return {
        "type": "diagnostic",
        "diagnostic": {
            "severity": "error",
            "summary": summary,
            "detail": detail,
            "address": address,
            "range": {"filename": "main.tf", "start": {"line": 7}},
        },
    }


def test_plan_reports_changes_from_the_detailed_exit_code(tmp_path: Path) -> None:
    terraform = _fake(
        tmp_path,
        {
            "plan": {
                "exit": 2,
                "events": [
                    {"type": "change_summary", "changes": {"add": 3, "change": 0, "remove": 0}}
                ],
            }
        },
    )
    result = terraform.plan(tmp_path / "p.tfplan", ["-var=eks_cluster_name=x"])
    assert result.has_changes is True
    call = _calls(tmp_path)[0]
    assert call[0] == f"-chdir={tmp_path}"
    assert call[1:4] == ["plan", "-input=false", "-json"]
    assert "-detailed-exitcode" in call and f"-out={tmp_path / 'p.tfplan'}" in call
    assert call[-1] == "-var=eks_cluster_name=x"


def test_plan_without_changes_exits_zero_and_keeps_warnings(tmp_path: Path) -> None:
    warning = {"type": "diagnostic", "diagnostic": {"severity": "warning", "summary": "deprecated"}}
    terraform = _fake(tmp_path, {"plan": {"exit": 0, "events": [warning]}})
    result = terraform.plan(tmp_path / "p.tfplan")
    assert result.has_changes is False
    assert [w.summary for w in result.warnings] == ["deprecated"]


def test_failed_command_becomes_one_sentence_with_hint_and_full_detail(tmp_path: Path) -> None:
    terraform = _fake(
        tmp_path,
        {
            "apply": {
                "exit": 1,
                "events": [
                    _diagnostic(
                        "creating S3 Bucket: BucketAlreadyExists",
                        "The requested bucket name is not available. Pick another name.",
                        "module.stack.aws_s3_bucket.this",
                    ),
                    _diagnostic("second problem"),
                ],
            }
        },
    )
    with pytest.raises(TerraformError) as caught:
        terraform.apply(tmp_path / "p.tfplan")
    error = caught.value
    assert error.message == (
        "terraform apply failed in module.stack.aws_s3_bucket.this: "
        "creating S3 Bucket: BucketAlreadyExists."
    )
    assert error.hint == "The requested bucket name is not available."
    assert "second problem" in error.detail and "(main.tf:7)" in error.detail
    assert error.exit_code == ExitCode.FAILED


def test_failure_without_json_diagnostics_reports_stderr(tmp_path: Path) -> None:
    terraform = _fake(tmp_path, {"init": {"exit": 1, "stderr": "panic: provider crashed"}})
    with pytest.raises(TerraformError, match="provider crashed"):
        terraform.init()


def test_apply_streams_events_to_the_progress_line(tmp_path: Path) -> None:
    events = [
        {"type": "apply_start", "hook": {"resource": {"addr": "aws_kms_key.this"}}},
        {
            "type": "apply_complete",
            "hook": {
                "resource": {"addr": "aws_kms_key.this"},
                "action": "create",
                "elapsed_seconds": 4,
            },
        },
        {"type": "apply_start", "hook": {"resource": {"addr": "aws_s3_bucket.this"}}},
        {"type": "apply_errored", "hook": {"resource": {"addr": "aws_s3_bucket.this"}}},
    ]
    terraform = _fake(tmp_path, {"apply": {"exit": 0, "events": events}})
    log = tmp_path / "progress.log"
    with log.open("w") as stream:
        progress = ApplyProgress(total=2, stream=stream)
        terraform.apply(tmp_path / "p.tfplan", on_event=progress)
    assert progress.done == 2 and progress.failed == ["aws_s3_bucket.this"]
    assert log.read_text().splitlines() == [
        "  [1/2] create  aws_kms_key.this (4s)",
        "  [2/2] failed  aws_s3_bucket.this (0s)",
    ]


def test_progress_line_shows_bar_count_elapsed_and_current_resource() -> None:
    progress = ApplyProgress(total=4, width=8)
    progress.done, progress.current = 1, 'module.stack.aws_kms_key.this["loki"]'
    line = progress.line()
    assert line.startswith("[##......] 1/4  00:0")
    assert line.endswith('module.stack.aws_kms_key.this["loki"]')


def test_output_json_is_parsed(tmp_path: Path) -> None:
    outputs = {"region": {"value": "us-east-1", "type": "string", "sensitive": False}}
    terraform = _fake(tmp_path, {"output": {"exit": 0, "stdout": json.dumps(outputs)}})
    assert terraform.outputs() == outputs


def _interrupt_after(delay: float, times: int, gap: float = 0.1) -> threading.Thread:
    """Ctrl-C `times` times: the first after `delay`, the next `gap` seconds apart."""

    def send() -> None:
        threading.Event().wait(delay)
        for count in range(times):
            if count:
                threading.Event().wait(gap)
            os.kill(os.getpid(), signal.SIGINT)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


@pytest.fixture(params=["default", "ignored"])
def sigint_at_start(request: pytest.FixtureRequest) -> Iterator[object]:
    """The SIGINT handler Python started with: its default, or ignored, as under `nohup` or
    `make test &` (a shell starts background jobs with SIGINT ignored)."""
    before = signal.getsignal(signal.SIGINT)
    handler = signal.default_int_handler if request.param == "default" else signal.SIG_IGN
    signal.signal(signal.SIGINT, handler)
    yield handler
    signal.signal(signal.SIGINT, before)


def test_one_interrupt_is_forwarded_and_terraform_stops_cleanly(
    tmp_path: Path, sigint_at_start: object
) -> None:
    terraform = _fake(tmp_path, {"apply": {"wait_for_interrupt": True}})
    _interrupt_after(0.8, times=1)
    with pytest.raises(TerraformInterruptedError) as caught:
        terraform.apply(tmp_path / "p.tfplan")
    assert caught.value.message == "terraform apply was interrupted and stopped cleanly."
    assert "run the same obsctl command again to resume" in caught.value.hint
    assert caught.value.exit_code == ExitCode.INTERRUPTED
    # The handler in place before the run is back, whichever it was.
    assert signal.getsignal(signal.SIGINT) is sigint_at_start


def test_a_second_interrupt_stops_terraform_immediately(tmp_path: Path) -> None:
    terraform = _fake(tmp_path, {"apply": {"wait_for_interrupt": True}})
    _interrupt_after(0.8, times=2)
    with pytest.raises(TerraformInterruptedError) as caught:
        terraform.apply(tmp_path / "p.tfplan")
    assert caught.value.message == "terraform apply was interrupted and stopped immediately."
    assert "obsctl status" in caught.value.hint


def test_plan_summary_counts_actions_by_resource_type() -> None:
    plan = {
        "resource_changes": [
            {
                "address": "a",
                "type": "aws_s3_bucket",
                "mode": "managed",
                "change": {"actions": ["create"]},
            },
            {
                "address": "b",
                "type": "aws_s3_bucket",
                "mode": "managed",
                "change": {"actions": ["delete", "create"]},
            },
            {
                "address": "c",
                "type": "aws_kms_key",
                "mode": "managed",
                "change": {"actions": ["update"]},
            },
            {
                "address": "d",
                "type": "aws_iam_role",
                "mode": "managed",
                "change": {"actions": ["no-op"]},
            },
            {"address": "e", "type": "aws_region", "mode": "data", "change": {"actions": ["read"]}},
            {
                "address": "f",
                "type": "aws_iam_role",
                "mode": "managed",
                "change": {"actions": ["delete"]},
            },
        ]
    }
    summary = PlanSummary.from_plan(plan)
    assert summary.headline() == "1 to add, 1 to change, 1 to replace, 1 to destroy"
    assert summary.total == 5
    assert summary.table().splitlines() == [
        "resource type  add  change  replace  destroy",
        "aws_iam_role                         1",
        "aws_kms_key         1",
        "aws_s3_bucket  1            1",
    ]
    assert PlanSummary.from_plan({"resource_changes": plan["resource_changes"][3:5]}).empty


def test_plan_summary_from_plan_events_matches_the_plan_json_summary() -> None:
    def planned(addr: str, kind: str, action: str, mode: str = "managed") -> dict:
        return {
            "type": "planned_change",
            "change": {
                "action": action,
                "resource": {"addr": addr, "resource_type": kind, "mode": mode},
            },
        }

    events = [
        planned("a", "aws_s3_bucket", "create"),
        planned("b", "aws_s3_bucket", "replace"),
        planned("c", "aws_kms_key", "update"),
        planned("f", "aws_iam_role", "delete"),
        planned("e", "aws_region", "read", mode="data"),
        {"type": "change_summary", "changes": {"add": 2}},
    ]
    summary = PlanSummary.from_events(events)
    assert summary.headline() == "1 to add, 1 to change, 1 to replace, 1 to destroy"
    assert summary.addresses["replace"] == ["b"]


def test_data_source_reads_do_not_count_as_applied_resources(tmp_path: Path) -> None:
    log = tmp_path / "progress.log"
    with log.open("w") as stream:
        progress = ApplyProgress(total=1, stream=stream)
        read = {"resource": {"addr": "data.aws_region.current"}, "action": "read"}
        progress({"type": "apply_start", "hook": read})
        progress({"type": "apply_complete", "hook": read})
    assert progress.done == 0 and log.read_text() == ""


def test_a_refused_variable_becomes_the_message_with_the_usage_exit_code(tmp_path: Path) -> None:
    detail = (
        'name_prefix "Obs" must use only lowercase letters, digits and hyphens.\n\n'
        "This was checked by the validation rule at ../../modules/s3-kms/variables.tf:5,3-13."
    )
    refused = {
        "type": "diagnostic",
        "diagnostic": {
            "severity": "error",
            "summary": "Invalid value for variable",
            "detail": detail,
        },
    }
    terraform = _fake(tmp_path, {"plan": {"exit": 1, "events": [refused, refused]}})
    with pytest.raises(TerraformError) as caught:
        terraform.plan(tmp_path / "p.tfplan")
    error = caught.value
    assert error.message == 'name_prefix "Obs" must use only lowercase letters, digits and hyphens.'
    assert error.hint == (
        "checked by ../../modules/s3-kms/variables.tf:5,3-13 (and 1 more error; run with -v)"
    )
    assert error.exit_code == ExitCode.USAGE


def test_a_modules_precondition_is_bad_input_with_its_own_sentence() -> None:
    sentence = "Role lgtm-loki would trust 1 cluster(s) in a policy of 2049 characters."
    diagnostic = _diagnostic("Resource precondition failed", sentence, "module.stack.x")
    error = TerraformError("plan", [Diagnostic.from_event(diagnostic)])
    assert error.message == sentence
    assert error.exit_code == ExitCode.USAGE
    failed = TerraformError("plan", [Diagnostic.from_event(_diagnostic("Resource failed", "x"))])
    assert failed.exit_code != ExitCode.USAGE


def test_an_aws_error_drops_the_request_ids_and_bucket_not_empty_says_what_to_do() -> None:
    summary = (
        "deleting S3 Bucket (lgtm-prod-123456789012-access-logs): operation error S3: "
        "DeleteBucket, https response error StatusCode: 409, RequestID: Y5ueKwQN, HostID: "
        "9Gjj+/8Ruv=, api error BucketNotEmpty: The bucket you tried to delete is not empty."
    )
    diagnostic = _diagnostic(summary, "", "module.stack.aws_s3_bucket.access_logs[0]")
    error = TerraformError("apply", [Diagnostic.from_event(diagnostic)])
    assert error.message == (
        "terraform apply failed in module.stack.aws_s3_bucket.access_logs[0]: deleting S3 "
        "Bucket (lgtm-prod-123456789012-access-logs): S3 DeleteBucket: BucketNotEmpty: The "
        "bucket you tried to delete is not empty."
    )
    assert "force_destroy is off" in (error.hint or "")
    assert "RequestID: Y5ueKwQN" in (error.detail or ""), "the full text stays in the detail"
