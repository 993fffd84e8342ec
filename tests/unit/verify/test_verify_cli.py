"""`obsctl verify`: usage errors before any AWS call, exit codes, formats and --out."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from tests.unit.verify.conftest import Stack

from obsctl.cli import main
from obsctl.verify.catalogue import CONTROLS


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("verify touched Terraform or AWS before rejecting bad input")

    monkeypatch.setattr("obsctl.workspace.session.open_session", refuse)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--only", "s3.nope"], "--only 's3.nope' names no control"),
        (["--skip", "s3.versioning"], "--skip 's3.versioning' needs a reason"),
        (["--json", "--format", "junit"], "--json means --format json"),
        (["--only", "kms.rotation", "--skip", "kms.rotation=x"], "--only and --skip both name"),
        (["--out", "/no/such/folder/report.json"], "does not exist"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_code_2_before_any_aws_call(
    no_aws: None, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["verify", *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_an_unknown_format_is_rejected_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["verify", "--format", "xml"])
    assert exited.value.code == 2


def test_list_controls_prints_the_catalogue_without_aws(
    no_aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", "--list-controls"]) == 0
    out = capsys.readouterr().out
    for control in CONTROLS:
        assert control.id in out
    assert "[FSBP S3.8, CIS 2.1.4]" in out


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch, prod: Stack) -> Stack:
    """The command wired to the recorded prod stack instead of Terraform and AWS."""
    session = SimpleNamespace(
        target="local",
        workspace=SimpleNamespace(root=Path("terraform/envs/prod")),
        contract=lambda: prod.contract,
    )
    monkeypatch.setattr("obsctl.workspace.session.open_session", lambda *a, **k: session)
    monkeypatch.setattr("obsctl.verify.session.load_state", lambda s: prod.state)
    monkeypatch.setattr("obsctl.verify.session.clients_for", lambda s, region: prod.aws)
    return prod


def test_a_clean_stack_exits_0_with_the_table_and_verdict(
    recorded: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", "--env", "prod"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("PASSED: passed ")


def test_a_failure_exits_1(recorded: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    key = recorded.key("tempo")
    recorded.aws.respond("kms", "get_key_rotation_status", {"KeyRotationEnabled": False}, KeyId=key)
    assert main(["verify", "--env", "prod", "--json"]) == 1
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert [
        (r["control"], r["resource"]) for r in document["results"] if r["status"] == "fail"
    ] == [("kms.rotation", key)]
    assert captured.err.strip().startswith("FAILED: passed")


def test_skip_with_a_reason_turns_the_failure_into_a_documented_skip(
    recorded: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    key = recorded.key("tempo")
    recorded.aws.respond("kms", "get_key_rotation_status", {"KeyRotationEnabled": False}, KeyId=key)
    assert main(["verify", "--env", "prod", "--skip", "KMS.4=rotated by the key owner"]) == 0
    assert "SKIP  kms.rotation" in capsys.readouterr().out


def test_out_writes_the_report_and_prints_the_verdict(
    recorded: Stack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "verify.sarif"
    assert main(["verify", "--env", "prod", "--format", "sarif", "--out", str(target)]) == 0
    assert json.loads(target.read_text())["version"] == "2.1.0"
    out = capsys.readouterr().out
    assert out.startswith("PASSED: passed") and str(target) in out


def test_only_runs_the_selected_family(recorded: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--env", "prod", "--only", "dynamodb", "--format", "junit"]) == 0
    out = capsys.readouterr().out
    assert out.count("<testcase ") == 2 * 7  # two tables, seven table controls


def test_aws_credentials_of_another_account_are_refused_before_reading_anything(
    recorded: Stack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    recorded.aws.respond("sts", "get_caller_identity", {"Account": "999999999999"})
    session = SimpleNamespace(
        target="aws",
        workspace=SimpleNamespace(root=Path("terraform/envs/prod")),
        contract=lambda: recorded.contract,
    )
    monkeypatch.setattr("obsctl.workspace.session.open_session", lambda *a, **k: session)
    assert main(["verify", "--env", "prod", "--target", "aws"]) == 1
    err = capsys.readouterr().err
    assert "belong to account 999999999999, but the stack is in account 123456789012" in err
    assert recorded.aws.made == [("sts", "get_caller_identity", {})]
