"""Recovering from an apply that did not finish: the journal, what belongs to the stack, which
leftovers are orphans, removing them (local target) and refusing to go on (aws target)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from obsctl.errors import ObsctlError
from obsctl.inventory import Inventory, live_inventory, state_inventory
from obsctl.recovery.cleanup import remove_orphans
from obsctl.recovery.messages import (
    RESTORED,
    SET_ASIDE,
    count_by_kind,
    local_sentence,
    orphan_listing,
)
from obsctl.recovery.orphans import Orphan, StackIdentity, find_orphans
from obsctl.recovery.reconcile import Recovered, repair_local_state
from obsctl.targets.aws import AwsTarget
from obsctl.terraform.binary import TerraformBinary
from obsctl.terraform.runner import Terraform
from obsctl.workspace import LOCAL_STATE_BUCKET, resolve
from obsctl.workspace.journal import ApplyJournal, ApplyRecord
from obsctl.workspace.session import Session

PREFIX = "lgtm-dev-123456789012"


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


# -- the journal --------------------------------------------------------------------------------


def test_a_successful_apply_leaves_no_journal(tmp_path: Path) -> None:
    journal = ApplyJournal(tmp_path)
    record = journal.begin(label="dev", target="local", root=tmp_path, sandbox_instance="abc")
    assert record.pid == os.getpid() and journal.read() == record
    assert journal.unfinished() is None, "a live apply (this process) is not unfinished"
    journal.terraform_started(os.getpid())
    assert journal.read().terraform_pid == os.getpid()
    journal.finish(None)
    assert not journal.path.exists()


def test_an_interrupted_apply_keeps_its_journal_with_the_outcome(tmp_path: Path) -> None:
    journal = ApplyJournal(tmp_path)
    journal.begin(label="dev", target="local", root=tmp_path, sandbox_instance=None)
    journal.finish("interrupted")
    assert journal.read().outcome == "interrupted"
    assert journal.read().how_it_ended() == "was interrupted"


def test_a_journal_whose_obsctl_died_without_an_outcome_is_unfinished(tmp_path: Path) -> None:
    journal = ApplyJournal(tmp_path)
    record = ApplyRecord(_dead_pid(), None, 1795669146.0, "dev", "local", str(tmp_path))
    journal.path.write_text(json.dumps(record.__dict__))
    found = journal.unfinished()
    assert found is not None and found.how_it_ended() == "was cut short (obsctl itself was killed)"
    assert found.when() == "2026-11-26 04:59:06 UTC"


def test_a_reused_pid_does_not_pass_for_the_obsctl_that_wrote_the_journal(tmp_path: Path) -> None:
    journal = ApplyJournal(tmp_path)
    parent = os.getppid()  # alive, but it did not start at this (bogus) time
    record = ApplyRecord(parent, 1, 1795669146.0, "dev", "local", str(tmp_path))
    journal.path.write_text(json.dumps(record.__dict__))
    assert journal.unfinished() is not None
    live = ApplyRecord(parent, None, 1795669146.0, "dev", "local", str(tmp_path))
    journal.path.write_text(json.dumps(live.__dict__))
    assert journal.unfinished() is None


def test_a_journal_cut_mid_write_counts_as_a_killed_apply(tmp_path: Path) -> None:
    journal = ApplyJournal(tmp_path)
    journal.path.write_text('{"pid": 12')
    found = journal.unfinished()
    assert found is not None and found.outcome == "killed"


# -- whose resources -----------------------------------------------------------------------------


def test_identity_comes_from_the_state_outputs_else_the_env_name() -> None:
    state = {"outputs": {"name_prefix": {"value": PREFIX}, "environment": {"value": "dev"}}}
    assert StackIdentity.from_state(state, "dev", ["dev", "prod"]) == StackIdentity(PREFIX, "dev")
    assert StackIdentity.from_state({}, "prod", ["dev", "prod"]) == StackIdentity(None, "prod")
    unknown = StackIdentity.from_state({}, "mine-1a2b3c4d", ["dev", "prod"])
    assert not unknown.known


def test_raw_state_inventory_counts_tainted_and_deposed_instances() -> None:
    state = {
        "resources": [
            {
                "mode": "managed",
                "type": "aws_s3_bucket",
                "instances": [
                    {"attributes": {"bucket": "a"}, "status": "tainted"},
                    {"attributes": {"bucket": "b"}, "deposed": "00aa"},
                ],
            },
            {
                "mode": "data",
                "type": "aws_s3_bucket",
                "instances": [{"attributes": {"bucket": "c"}}],
            },
            {"mode": "managed", "type": "aws_kms_key", "instances": [{"attributes": {"arn": "k"}}]},
        ]
    }
    assert state_inventory(state) == Inventory(buckets=frozenset({"a", "b"}), keys=frozenset({"k"}))


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """moto in this process; `aws(service)` is a client of it."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        clients: dict[str, Any] = {}

        def client(service: str) -> Any:
            return clients.setdefault(service, boto3.client(service, region_name="us-east-1"))

        yield client


def _key(aws: Any, description: str, tags: dict[str, str] | None = None) -> str:
    tag_list = [{"TagKey": k, "TagValue": v} for k, v in (tags or {}).items()]
    return aws("kms").create_key(Description=description, Tags=tag_list)["KeyMetadata"]["Arn"]


def _bucket(aws: Any, name: str, tags: dict[str, str] | None = None) -> str:
    aws("s3").create_bucket(Bucket=name)
    if tags:
        tag_set = [{"Key": k, "Value": v} for k, v in tags.items()]
        aws("s3").put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_set})
    return name


def _role(aws: Any, name: str) -> str:
    trust = {"Version": "2012-10-17", "Statement": []}
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}],
    }
    aws("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    aws("iam").put_role_policy(
        RoleName=name, PolicyName="object-storage", PolicyDocument=json.dumps(policy)
    )
    return name


def test_orphans_are_this_stacks_untracked_resources_and_nothing_else(aws: Any) -> None:
    tracked_bucket = _bucket(aws, f"{PREFIX}-mimir-blocks")
    orphan_bucket = _bucket(aws, f"{PREFIX}-loki-chunks")
    _bucket(aws, "lgtm-prod-123456789012-loki-chunks")  # another stack
    _bucket(aws, f"{PREFIX}x-tempo-traces")  # a longer prefix is another stack
    _bucket(aws, LOCAL_STATE_BUCKET)
    other_workspace = _bucket(aws, f"{PREFIX}-tracked-elsewhere")
    orphan_key = _key(aws, f"LGTM telemetry storage (tempo) for {PREFIX}")
    _key(aws, "LGTM telemetry storage (tempo) for lgtm-prod-123456789012")
    aws("kms").create_alias(AliasName=f"alias/{PREFIX}-tempo", TargetKeyId=orphan_key)
    orphan_role = _role(aws, f"{PREFIX}-loki")
    _role(aws, "platform-admin")
    aws("sns").create_topic(Name=f"{PREFIX}-alerts")
    aws("dynamodb").create_table(
        TableName=f"{PREFIX}-loki-index",
        KeySchema=[{"AttributeName": "h", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "h", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )

    tracked = Inventory(buckets=frozenset({tracked_bucket}))
    exclude = Inventory(buckets=frozenset({LOCAL_STATE_BUCKET, other_workspace}))
    orphans = find_orphans(aws, tracked, StackIdentity(PREFIX, "dev"), exclude=exclude)
    topic = f"arn:aws:sns:us-east-1:123456789012:{PREFIX}-alerts"
    assert orphans == [
        Orphan("aliases", f"alias/{PREFIX}-tempo"),
        Orphan("topics", topic),
        Orphan("tables", f"{PREFIX}-loki-index"),
        Orphan("roles", orphan_role),
        Orphan("buckets", orphan_bucket),
        Orphan("keys", orphan_key),
    ]


def test_without_a_known_prefix_only_resources_tagged_with_the_env_are_orphans(aws: Any) -> None:
    tagged = _bucket(aws, "lgtm-dev-123456789012-mimir-ruler", {"lgtm:environment": "dev"})
    _bucket(aws, "lgtm-dev-123456789012-loki-ruler")  # untagged: not provably ours
    _bucket(aws, "lgtm-prod-123456789012-loki-ruler", {"lgtm:environment": "prod"})
    key = _key(aws, "anything", {"lgtm:environment": "dev"})
    _key(aws, "anything else")
    orphans = find_orphans(aws, Inventory(), StackIdentity(None, "dev"))
    assert orphans == [Orphan("buckets", tagged), Orphan("keys", key)]
    assert find_orphans(aws, Inventory(), StackIdentity(None, None)) == []


def test_an_untagged_bucket_created_during_the_apply_is_an_orphan_on_the_local_target(
    aws: Any,
) -> None:
    """A kill between CreateBucket and the provider's tagging call, before any state was saved."""
    older = _bucket(aws, "lgtm-dev-123456789012-loki-ruler")
    created = aws("s3").list_buckets()["Buckets"][0]["CreationDate"].timestamp()
    in_flight = _bucket(aws, "lgtm-dev-123456789012-tempo-traces")
    tagged_elsewhere = _bucket(aws, "someone-elses", {"team": "payments"})
    identity = StackIdentity(None, "dev")

    assert find_orphans(aws, Inventory(), identity) == []
    orphans = find_orphans(aws, Inventory(), identity, in_flight_since=created + 3600)
    assert orphans == []
    orphans = find_orphans(aws, Inventory(), identity, in_flight_since=created)
    assert orphans == [Orphan("buckets", older), Orphan("buckets", in_flight)]
    assert Orphan("buckets", tagged_elsewhere) not in orphans


def test_removing_orphans_deletes_them_and_schedules_keys_for_deletion(aws: Any) -> None:
    bucket = _bucket(aws, f"{PREFIX}-tempo-traces")
    aws("s3").put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    aws("s3").put_object(Bucket=bucket, Key="a", Body=b"1")
    aws("s3").put_object(Bucket=bucket, Key="a", Body=b"2")
    aws("s3").delete_object(Bucket=bucket, Key="a")
    key = _key(aws, f"LGTM telemetry storage (tempo) for {PREFIX}")
    aws("kms").create_alias(AliasName=f"alias/{PREFIX}-tempo", TargetKeyId=key)
    role = _role(aws, f"{PREFIX}-tempo")
    orphans = find_orphans(aws, Inventory(), StackIdentity(PREFIX, "dev"))
    assert len(orphans) == 4

    removed = remove_orphans(aws, orphans)
    assert removed == orphans
    assert live_inventory(aws) == Inventory()
    assert aws("kms").describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    assert count_by_kind(removed) == (
        "1 KMS alias, 1 IAM role, 1 bucket and 1 KMS key (scheduled for deletion)"
    )
    record = ApplyRecord(1, None, 1795669146.0, "dev", "local", "/r", outcome="killed")
    sentence = local_sentence(record, "dev on the local target", removed, "1fb3")
    assert sentence == (
        "The last apply of dev on the local target was killed (2026-11-26 04:59:06 UTC); obsctl "
        "released the state lock it left behind (lock ID 1fb3) and removed the 1 KMS alias, "
        "1 IAM role, 1 bucket and 1 KMS key (scheduled for deletion) it had created outside its "
        f"state: alias/{PREFIX}-tempo, {role}, {bucket}, {key.rpartition('/')[2]}."
    )
    assert local_sentence(record, "dev on the local target", []) == (
        "The last apply of dev on the local target was killed (2026-11-26 04:59:06 UTC); it "
        "left nothing outside its state."
    )
    assert local_sentence(record, "dev on the local target", removed[:1], None, SET_ASIDE) == (
        "The last apply of dev on the local target was killed (2026-11-26 04:59:06 UTC); obsctl "
        "set aside the state the kill cut mid-write (kept as terraform.tfstate.cut-short; that "
        f"apply began from nothing) and removed the 1 KMS alias it had created outside its "
        f"state: alias/{PREFIX}-tempo."
    )


# -- the aws target never deletes --------------------------------------------------------------


class _StubTerraform(Terraform):
    """Terraform whose init does nothing and whose state is given."""

    def __init__(self, root: Path, state: dict[str, Any]) -> None:
        super().__init__(Path("/bin/false"), root, dict(os.environ))
        self.raw_state = state

    def init(self, backend_config: Any = None, reconfigure: bool = False) -> None:
        return None

    def state_pull(self) -> dict[str, Any]:
        return self.raw_state


def _aws_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, accept: bool) -> Session:
    monkeypatch.setenv("OBSCTL_STATE_DIR", str(tmp_path / "obsctl"))
    # Other tests may run Terraform in terraform/envs/dev meanwhile; none of them is ours.
    monkeypatch.setattr("obsctl.recovery.reconcile.terraform_processes", lambda *args, **kwargs: [])
    workspace = resolve("dev", "aws", None)
    state = {"outputs": {"name_prefix": {"value": PREFIX}, "region": {"value": "us-east-1"}}}
    binary = TerraformBinary(Path("/bin/false"), (1, 11, 4), "terraform")
    session = Session(
        workspace,
        binary,
        _StubTerraform(workspace.root, state),
        AwsTarget(workspace),
        accept_orphans=accept,
    )
    record = ApplyRecord(
        _dead_pid(), None, 1795669146.0, "dev", "aws", str(workspace.root), outcome="killed"
    )
    session.journal.work_dir.mkdir(parents=True)
    session.journal.path.write_text(json.dumps(record.__dict__))
    return session


def test_on_aws_orphans_are_listed_with_import_and_delete_commands_and_nothing_applies(
    aws: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = _bucket(aws, f"{PREFIX}-loki-chunks")
    key = _key(aws, f"LGTM telemetry storage (loki) for {PREFIX}")
    session = _aws_session(tmp_path, monkeypatch, accept=False)
    with pytest.raises(ObsctlError) as caught:
        session.init()
    error = caught.value
    assert error.message == (
        "The last apply of dev on the aws target was killed (2026-11-26 04:59:06 UTC), and "
        "1 bucket and 1 KMS key of this stack exist in AWS but not in its state: "
        f"bucket {bucket}, KMS key {key.rpartition('/')[2]}."
    )
    root = session.workspace.root
    assert "set OBSCTL_ACCEPT_ORPHANS=1 to go on" in error.hint
    assert f"adopt:  terraform -chdir={root} import 'ADDRESS' {bucket}" in error.hint
    assert f"delete: aws s3 rb s3://{bucket} --force" in error.hint
    assert f"delete: aws kms schedule-key-deletion --key-id {key}" in error.hint
    assert bucket in {b["Name"] for b in aws("s3").list_buckets()["Buckets"]}, "never deleted"
    assert session.journal.path.exists(), "the next run asks again"


def test_on_aws_accepting_orphans_goes_on_and_keeps_them(
    aws: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = _bucket(aws, f"{PREFIX}-loki-chunks")
    session = _aws_session(tmp_path, monkeypatch, accept=True)
    session.init()
    assert session.notices == [
        "The last apply of dev on the aws target was killed (2026-11-26 04:59:06 UTC); 1 bucket "
        "of this stack exists in AWS but not in its state, and obsctl leaves it there "
        f"(OBSCTL_ACCEPT_ORPHANS is set): bucket {bucket}."
    ]
    assert session.orphans == [Orphan("buckets", bucket)]
    assert not session.journal.path.exists()
    assert bucket in {b["Name"] for b in aws("s3").list_buckets()["Buckets"]}
    session.close()


def test_orphan_listing_names_each_kind_with_its_own_delete_command() -> None:
    listing = orphan_listing(
        [Orphan("roles", f"{PREFIX}-loki"), Orphan("tables", f"{PREFIX}-loki-index")], Path("/r")
    )
    assert listing.splitlines() == [
        f"  IAM role {PREFIX}-loki",
        f"    adopt:  terraform -chdir=/r import 'ADDRESS' {PREFIX}-loki",
        f"    delete: aws iam delete-role --role-name {PREFIX}-loki (after deleting its policies)",
        f"  DynamoDB table {PREFIX}-loki-index",
        f"    adopt:  terraform -chdir=/r import 'ADDRESS' {PREFIX}-loki-index",
        f"    delete: aws dynamodb delete-table --table-name {PREFIX}-loki-index",
    ]


def test_no_recovery_while_the_terraform_of_a_killed_obsctl_still_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OBSCTL_STATE_DIR", str(tmp_path / "obsctl"))
    workspace = resolve("dev", "aws", None)
    binary = TerraformBinary(Path("/bin/false"), (1, 11, 4), "terraform")
    session = Session(workspace, binary, _StubTerraform(workspace.root, {}), AwsTarget(workspace))
    still_running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        journal = session.journal
        record = ApplyRecord(_dead_pid(), None, 1795669146.0, "dev", "aws", str(workspace.root))
        record.terraform_pid = still_running.pid
        journal.work_dir.mkdir(parents=True)
        journal.path.write_text(json.dumps(record.__dict__))
        with pytest.raises(ObsctlError) as caught:
            session.init()
        assert caught.value.message == (
            f"Terraform (pid {still_running.pid}) of an earlier obsctl run that did not finish "
            "is still applying dev on the aws target."
        )
        assert journal.path.exists()
    finally:
        still_running.kill()
        still_running.wait()
    session.close()


def test_on_aws_a_failed_listing_is_one_sentence_and_accepting_goes_on(
    aws: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    def denied(*args: Any, **kwargs: Any) -> list[Orphan]:
        error = {"Error": {"Code": "AccessDenied", "Message": "not allowed"}}
        raise ClientError(error, "ListRoles")

    monkeypatch.setattr("obsctl.recovery.reconcile.find_orphans", denied)
    session = _aws_session(tmp_path, monkeypatch, accept=False)
    with pytest.raises(ObsctlError) as caught:
        session.init()
    assert caught.value.message == (
        "The last apply of dev on the aws target was killed, and obsctl could not list what it "
        "may have left outside its state: An error occurred (AccessDenied) when calling the "
        "ListRoles operation: not allowed"
    )
    session.close()
    accepting = _aws_session(tmp_path / "again", monkeypatch, accept=True)
    accepting.init()
    assert accepting.notices[0].endswith("(OBSCTL_ACCEPT_ORPHANS is set: going on).")
    assert not accepting.journal.path.exists()
    accepting.close()


def test_a_local_state_cut_mid_write_is_put_back_from_terraforms_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OBSCTL_STATE_DIR", str(tmp_path / "obsctl"))
    workspace = resolve("dev", "local", None)
    state = workspace.local_state_path
    state.parent.mkdir(parents=True)
    state.write_text("")
    assert repair_local_state(workspace, sandboxed=True) == SET_ASIDE, (
        "empty, and no backup: set aside, so nothing reads an empty file as a state"
    )
    assert state.with_name("terraform.tfstate.cut-short").read_text() == ""
    state.write_text('{"version": 4, "ser')
    assert repair_local_state(workspace, sandboxed=True) == SET_ASIDE, (
        "cut, and no backup (the run began from nothing): set aside, Terraform starts empty"
    )
    assert not state.exists()
    assert state.with_name("terraform.tfstate.cut-short").read_text() == '{"version": 4, "ser'
    backup = state.with_name("terraform.tfstate.backup")
    backup.write_text('{"version": 4, "serial": 7, "resources": []}')
    state.write_text('{"version": 4, "seri')
    assert repair_local_state(workspace, sandboxed=True) == RESTORED
    assert json.loads(state.read_text())["serial"] == 7
    assert state.with_name("terraform.tfstate.cut-short").read_text() == '{"version": 4, "seri'
    assert repair_local_state(workspace, sandboxed=True) is None, "a whole state is left alone"


def test_a_state_cut_mid_write_is_put_back_before_terraform_init_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`terraform init` reads the local state and fails on one a SIGKILL cut mid-write, so the
    backup has to be back in place before it runs (the clean-clone CI run that found this)."""
    monkeypatch.setenv("OBSCTL_STATE_DIR", str(tmp_path / "obsctl"))
    monkeypatch.setattr("obsctl.recovery.reconcile.terraform_processes", lambda *args, **kwargs: [])
    workspace = resolve("dev", "local", None)
    state = workspace.local_state_path
    state.parent.mkdir(parents=True, exist_ok=True)
    state.with_name("terraform.tfstate.backup").write_text('{"version": 4, "serial": 7}')
    state.write_text('{"version": 4, "ser')
    seen: dict[str, Any] = {}

    class Initialising:
        sandbox = object()  # the local target's state is the sandboxed one

        def initialise(self, terraform: Terraform) -> list[str]:
            seen["state at init"] = json.loads(state.read_text())  # what init would read
            return []

    def recover(*args: Any, repaired: str | None, **kwargs: Any) -> Any:
        seen["repaired"] = repaired
        return Recovered()

    monkeypatch.setattr("obsctl.workspace.session.recover", recover)
    binary = TerraformBinary(Path("/bin/false"), (1, 11, 4), "terraform")
    session = Session(workspace, binary, _StubTerraform(workspace.root, {}), Initialising())  # type: ignore[arg-type]
    record = ApplyRecord(
        _dead_pid(), None, 1795669146.0, "dev", "local", str(workspace.root), outcome="killed"
    )
    session.journal.work_dir.mkdir(parents=True, exist_ok=True)
    session.journal.path.write_text(json.dumps(record.__dict__))
    session.init()
    session.close()
    assert seen == {"state at init": {"version": 4, "serial": 7}, "repaired": RESTORED}
