"""`obsctl doctor`: asks STS on the aws target, checks helm and kubectl as the guide lists them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from obsctl.commands import doctor as doctor_module
from obsctl.commands.base import Context


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _checks(result: subprocess.CompletedProcess[str]) -> dict[str, dict[str, Any]]:
    return {check["name"]: check for check in json.loads(result.stdout)}


def test_unreachable_sts_fails_the_aws_target_with_a_sentence(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "OBSCTL_STATE_DIR": str(tmp_path),
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "example",
        "AWS_ENDPOINT_URL_STS": f"http://127.0.0.1:{_closed_port()}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "obsctl", "doctor", "--target", "aws", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1
    credentials = _checks(result)["credentials"]
    assert credentials["status"] == "fail"
    assert credentials["detail"].startswith("AWS STS could not be reached: Could not connect")
    assert "Traceback" not in result.stderr


class _Sts:
    def __init__(self, answer: Any) -> None:
        self.answer = answer

    def get_caller_identity(self) -> Any:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def _with_sts(monkeypatch: pytest.MonkeyPatch, answer: Any) -> None:
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example")
    monkeypatch.setattr(boto3.Session, "client", lambda self, *a, **k: _Sts(answer))


def test_sts_is_asked_who_the_credentials_are(monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import ClientError

    _with_sts(monkeypatch, {"Account": "111122223333", "Arn": "arn:aws:iam::111122223333:user/a"})
    check = doctor_module._identity()
    assert check.ok and check.detail == (
        "AWS account 111122223333 as arn:aws:iam::111122223333:user/a"
    )
    refused = ClientError(
        {"Error": {"Code": "InvalidClientTokenId", "Message": "The security token is invalid."}},
        "GetCallerIdentity",
    )
    _with_sts(monkeypatch, refused)
    check = doctor_module._identity()
    assert not check.ok and not check.warning
    assert check.detail == (
        "AWS STS refused them: InvalidClientTokenId: The security token is invalid."
    )


def test_the_local_target_does_not_call_aws_and_says_how_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _with_sts(monkeypatch, AssertionError("the local target must not call STS"))
    check = doctor_module._credentials()
    assert check.ok and "`obsctl doctor --target aws` asks AWS" in check.detail


def test_helm_and_kubectl_are_checked_and_only_warn_when_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("OBSCTL_HELM", raising=False)
    helm, kubectl = doctor_module._helm(), doctor_module._kubectl()
    assert (helm.mark, kubectl.mark) == ("WARN", "WARN")
    assert "only installing the charts needs it" in helm.detail
    (tmp_path / "helm").write_text("#!/bin/sh\necho v4.1.4+g05fa379\n")
    (tmp_path / "kubectl").write_text(
        '#!/bin/sh\necho \'{"clientVersion": {"gitVersion": "v1.35.0"}}\'\n'
    )
    for tool in ("helm", "kubectl"):
        (tmp_path / tool).chmod(0o755)
    assert doctor_module._helm().detail == f"v4.1.4+g05fa379 at {tmp_path / 'helm'}"
    assert doctor_module._kubectl().detail == f"kubectl v1.35.0 at {tmp_path / 'kubectl'}"


def test_the_report_lists_the_tools_the_guide_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OBSCTL_STATE_DIR", str(tmp_path))
    names = [check.name for check in doctor_module.doctor(Context(say=print)).checks]
    assert names == ["terraform", "provider", "credentials", "local AWS", "helm", "kubectl"]
