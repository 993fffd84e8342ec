"""Destroying dev leaves nothing behind in the local AWS."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from obsctl.sandbox import Sandbox
from tests.integration.conftest import apply_env


@pytest.fixture
def own_state_dir(tmp_path: Path) -> Iterator[Path]:
    """A separate sandbox and workspace, so destroying cannot disturb the shared stacks."""
    previous = os.environ["OBSCTL_STATE_DIR"]
    os.environ["OBSCTL_STATE_DIR"] = str(tmp_path)
    yield tmp_path
    Sandbox(tmp_path / "sandbox").stop()
    os.environ["OBSCTL_STATE_DIR"] = previous


def test_destroying_dev_removes_every_bucket_key_role_and_alias(own_state_dir: Path) -> None:
    stack = apply_env("dev")
    prefix = stack.contract.name_prefix
    s3, kms, iam = stack.client("s3"), stack.client("kms"), stack.client("iam")
    bucket = stack.contract.buckets["loki"]["chunks"].name
    s3.put_bucket_policy(Bucket=bucket, Policy='{"Version":"2012-10-17","Statement":[]}')
    s3.put_object(Bucket=bucket, Key="fake/chunk", Body=b"x" * 10)

    result = stack.session.plan(destroy=True)
    stack.session.apply(result)

    buckets = [b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith(prefix)]
    assert buckets == []
    roles = [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(prefix)]
    assert roles == []
    aliases = [a["AliasName"] for a in kms.list_aliases()["Aliases"] if prefix in a["AliasName"]]
    assert aliases == []
    for key in stack.contract.kms_keys.values():
        assert kms.describe_key(KeyId=key.arn)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    assert stack.session.terraform.outputs() == {}
