"""`obsctl verify` against envs/dev and envs/prod applied to the local AWS, then tampered with.

The module applies its own dev and prod stacks in a private OBSCTL_STATE_DIR (its own local AWS),
so tampering can never disturb the shared dev_stack/prod_stack fixtures. Each tamper case changes
one thing through boto3, asserts that verify fails exactly the expected (control, resource) pairs
and nothing else, then repairs the stack the way `obsctl up` would (plan + apply through
obsctl.workspace.session) and asserts that every check passes again. The repair runs in a
`finally`, so a failing case still leaves the stack whole for the next one.
"""

from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from obsctl.cli import main
from obsctl.model.contract import StackContract
from obsctl.sandbox import Sandbox
from obsctl.verify import verify_session
from obsctl.verify.model import Report
from obsctl.workspace.session import Session, open_session

# One xdist worker runs the whole module: its stacks are applied once and its tests run in order.
pytestmark = pytest.mark.xdist_group("verify_stacks")

PROD_VARIABLES = ["create_loki_tables=true", "create_mimir_tables=true"]
Pairs = set[tuple[str, str]]
Aws = Callable[[str], Any]


@dataclass
class Stacks:
    sessions: dict[str, Session]
    folder: Path
    started: float

    def aws(self, env: str) -> Aws:
        sandbox = self.sessions[env].sandbox
        assert sandbox is not None
        return sandbox.client

    def verify(self, env: str) -> Report:
        return verify_session(self.sessions[env])

    def repair(self, env: str) -> None:
        session = self.sessions[env]
        session.apply(session.plan())


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stacks]:
    previous = os.environ.get("OBSCTL_STATE_DIR")
    folder = tmp_path_factory.mktemp("verify-stacks")
    os.environ["OBSCTL_STATE_DIR"] = str(folder)
    started = time.monotonic()
    try:
        sessions = {}
        for env, variables in (("dev", []), ("prod", PROD_VARIABLES)):
            session = open_session(env, "local", variables=variables)
            session.init()
            session.apply(session.plan())
            sessions[env] = session
        yield Stacks(sessions, folder, started)
    finally:
        Sandbox(folder / "sandbox").stop()
        if previous is None:
            os.environ.pop("OBSCTL_STATE_DIR", None)
        else:
            os.environ["OBSCTL_STATE_DIR"] = previous
        print(f"\nverify integration module: {time.monotonic() - started:.0f} s")


def _explain(report: Report) -> list[tuple[str, str, str]]:
    return [(r.control_id, r.subject.name, r.found) for r in report.failures]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_a_freshly_applied_env_passes_every_check(stacks: Stacks, env: str) -> None:
    report = stacks.verify(env)
    assert report.ok, _explain(report)
    assert report.evaluated > 100


def test_the_cli_verifies_prod_on_the_local_target(
    stacks: Stacks, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", "--env", "prod", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["summary"]["ok"] is True
    assert document["environment"] == "prod"
    controls = {r["control"] for r in document["results"]}
    assert {"dynamodb.deletion-protection", "s3.access-logging", "iam.trust-subjects"} <= controls


# -- tamper cases ------------------------------------------------------------------------------


def _bucket(c: StackContract, app: str, store: str) -> str:
    return c.buckets[app][store].name


def _key_id(c: StackContract, app: str) -> str:
    return c.kms_keys[app].arn.rsplit("/", 1)[1]


def _rewrite_lifecycle(aws: Aws, bucket: str, change: Callable[[list[dict]], list[dict]]) -> None:
    s3 = aws("s3")
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": change(copy.deepcopy(rules))}
    )


def _add_to_inline_policy(aws: Aws, role: str, statement: dict[str, Any]) -> None:
    iam = aws("iam")
    document = iam.get_role_policy(RoleName=role, PolicyName="object-storage")["PolicyDocument"]
    document["Statement"].append(statement)
    iam.put_role_policy(
        RoleName=role, PolicyName="object-storage", PolicyDocument=json.dumps(document)
    )


def pab_flag_off(aws: Aws, c: StackContract) -> Pairs:
    bucket = _bucket(c, "mimir", "blocks")
    aws("s3").put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": False,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    return {("s3.public-access-block", bucket)}


def versioning_suspended(aws: Aws, c: StackContract) -> Pairs:
    bucket = _bucket(c, "loki", "chunks")
    aws("s3").put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    return {("s3.versioning", bucket)}


def rotation_disabled(aws: Aws, c: StackContract) -> Pairs:
    aws("kms").disable_key_rotation(KeyId=_key_id(c, "tempo"))
    return {("kms.rotation", c.kms_keys["tempo"].arn)}


def key_deletion_scheduled(aws: Aws, c: StackContract) -> Pairs:
    aws("kms").schedule_key_deletion(KeyId=_key_id(c, "loki"), PendingWindowInDays=7)
    key = c.kms_keys["loki"].arn
    # A key pending deletion is also no longer enabled: both are true, both are reported.
    return {("kms.pending-deletion", key), ("kms.enabled", key)}


def bucket_key_swapped(aws: Aws, c: StackContract) -> Pairs:
    bucket = _bucket(c, "mimir", "ruler")
    aws("s3").put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": c.kms_keys["loki"].arn,
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    return {("s3.encryption", bucket)}


def trust_subject_widened(aws: Aws, c: StackContract) -> Pairs:
    iam, role = aws("iam"), c.roles["loki"].name
    document = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    condition = document["Statement"][0]["Condition"]
    sub = next(key for key in condition["StringEquals"] if key.endswith(":sub"))
    del condition["StringEquals"][sub]
    condition["StringLike"] = {sub: "system:serviceaccount:*:*"}
    iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(document))
    # Every service account of the cluster now assumes Loki's role: Grafana's too.
    cluster = next(iter(c.clusters))
    return {
        ("iam.trust-subjects", role),
        ("drift.policies", role),
        ("iam.cluster-subjects", cluster),
    }


def s3_star_on_star(aws: Aws, c: StackContract) -> Pairs:
    role = c.roles["tempo"].name
    statement = {"Sid": "Everything", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    _add_to_inline_policy(aws, role, statement)
    return {
        ("iam.no-wildcard-action", role),
        ("iam.scoped-resources", role),
        ("iam.no-cross-app-access", role),
        ("iam.self-modification", role),  # s3:* includes s3:PutBucketPolicy on its own bucket
        ("drift.policies", role),
    }


def mimir_bucket_on_loki_role(aws: Aws, c: StackContract) -> Pairs:
    role, blocks = c.roles["loki"].name, c.buckets["mimir"]["blocks"].arn
    _add_to_inline_policy(
        aws,
        role,
        {
            "Sid": "MimirBlocks",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": f"{blocks}/*",
        },
    )
    return {("iam.no-cross-app-access", role), ("drift.policies", role)}


def abort_rule_deleted(aws: Aws, c: StackContract) -> Pairs:
    bucket = _bucket(c, "tempo", "traces")
    _rewrite_lifecycle(
        aws,
        bucket,
        lambda rules: [r for r in rules if r["ID"] != "abort-incomplete-multipart-uploads"],
    )
    return {("s3.abort-multipart", bucket), ("drift.lifecycle", bucket)}


def tempo_expiry_shortened(aws: Aws, c: StackContract) -> Pairs:
    bucket = _bucket(c, "tempo", "traces")

    def shorten(rules: list[dict]) -> list[dict]:
        for rule in rules:
            if rule["ID"] == "expire-after-retention":
                rule["Expiration"] = {"Days": 3}
        return rules

    _rewrite_lifecycle(aws, bucket, shorten)
    return {("s3.safe-expiry", bucket), ("drift.lifecycle", bucket)}


def pitr_disabled(aws: Aws, c: StackContract) -> Pairs:
    table = c.tables["loki"][0].name
    aws("dynamodb").update_continuous_backups(
        TableName=table,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False},
    )
    return {("dynamodb.pitr", table)}


def deletion_protection_off(aws: Aws, c: StackContract) -> Pairs:
    table = c.tables["mimir"][0].name
    aws("dynamodb").update_table(TableName=table, DeletionProtectionEnabled=False)
    return {("dynamodb.deletion-protection", table)}


def ownership_object_writer(aws: Aws, c: StackContract) -> Pairs:
    bucket = _bucket(c, "loki", "ruler")
    aws("s3").put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
    )
    return {("s3.ownership", bucket)}


def bucket_policy_deleted(aws: Aws, c: StackContract) -> Pairs:
    bucket = _bucket(c, "mimir", "alertmanager")
    aws("s3").delete_bucket_policy(Bucket=bucket)
    return {("s3.tls-only", bucket), ("drift.policies", bucket)}


def access_logging_off(aws: Aws, c: StackContract) -> Pairs:
    bucket = _bucket(c, "tempo", "traces")
    aws("s3").put_bucket_logging(Bucket=bucket, BucketLoggingStatus={})
    return {("s3.access-logging", bucket)}


def bucket_deleted(aws: Aws, c: StackContract) -> Pairs:
    bucket = _bucket(c, "loki", "ruler")
    aws("s3").delete_bucket(Bucket=bucket)
    return {("drift.missing", bucket)}


def key_policy_opened(aws: Aws, c: StackContract) -> Pairs:
    kms, key = aws("kms"), c.kms_keys["mimir"].arn
    policy = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    policy["Statement"].append(
        {
            "Sid": "Anyone",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "kms:Decrypt",
            "Resource": "*",
        }
    )
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps(policy))
    # The key policy now lets every other app's role decrypt Mimir's data too.
    others = {
        ("iam.no-cross-app-access", c.roles[app].name) for app in ("loki", "tempo", "grafana")
    }
    return {("kms.external-access", key), ("drift.policies", key), *others}


def tag_changed(aws: Aws, c: StackContract) -> Pairs:
    s3, bucket = aws("s3"), _bucket(c, "mimir", "blocks")
    tags = s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
    for tag in tags:
        if tag["Key"] == "lgtm:environment":
            tag["Value"] = "staging"
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    return {("drift.tags", bucket)}


@dataclass(frozen=True)
class Case:
    env: str
    tamper: Callable[[Aws, StackContract], Pairs]

    @property
    def name(self) -> str:
        return f"{self.env}-{self.tamper.__name__.replace('_', '-')}"


CASES = [
    Case("dev", pab_flag_off),
    Case("dev", versioning_suspended),
    Case("dev", rotation_disabled),
    Case("dev", key_deletion_scheduled),
    Case("dev", bucket_key_swapped),
    Case("dev", trust_subject_widened),
    Case("dev", s3_star_on_star),
    Case("dev", mimir_bucket_on_loki_role),
    Case("dev", abort_rule_deleted),
    Case("prod", pitr_disabled),
    Case("dev", ownership_object_writer),
    Case("dev", bucket_policy_deleted),
    Case("prod", deletion_protection_off),
    Case("prod", access_logging_off),
    Case("dev", tempo_expiry_shortened),
    Case("dev", bucket_deleted),
    Case("dev", key_policy_opened),
    Case("dev", tag_changed),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_verify_names_exactly_the_tampered_control_and_passes_after_reapply(
    stacks: Stacks, case: Case
) -> None:
    contract = stacks.sessions[case.env].contract()
    try:
        expected = case.tamper(stacks.aws(case.env), contract)
        report = stacks.verify(case.env)
        assert report.failing() == expected, _explain(report)
        assert report.exit_code == 1
    finally:
        stacks.repair(case.env)
    repaired = stacks.verify(case.env)
    assert repaired.ok, _explain(repaired)


def test_a_policy_attached_by_hand_is_caught_by_verify_and_removed_by_reapply(
    stacks: Stacks,
) -> None:
    """A managed policy attached outside Terraform gives Loki's role Mimir's blocks: verify
    names it, and the iam module's exclusive-attachment resources remove it on re-apply."""
    aws, contract = stacks.aws("prod"), stacks.sessions["prod"].contract()
    iam, role = aws("iam"), contract.roles["loki"].name
    blocks = contract.buckets["mimir"]["blocks"].arn
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{blocks}/*"}],
    }
    arn = iam.create_policy(PolicyName="read-mimir-blocks", PolicyDocument=json.dumps(document))[
        "Policy"
    ]["Arn"]
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    try:
        expected = {("iam.no-cross-app-access", role), ("drift.policies", role)}
        assert stacks.verify("prod").failing() == expected
        stacks.repair("prod")
        attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
        assert attached == []
        after = stacks.verify("prod")
        assert after.ok, _explain(after)
    finally:
        iam.delete_policy(PolicyArn=arn)
