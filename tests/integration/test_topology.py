"""Several clusters, another account and a replica region, on the local AWS.

One module, one worker, its own local AWS: dev goes from one cluster to two (the second in
another account, its issuer registered in the stack's account) and back, holding data the whole
time, and prod is applied with a replica region. Each step is proved on the live resources:
nothing replaced, no object lost, each cluster's service accounts assume exactly their app's
role (STS on the local AWS decides by the trust as written), verify passes, and objects written
to a prod bucket appear in its replica.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from obsctl.sandbox import Sandbox
from obsctl.sandbox.clusters import issuer_url
from obsctl.sandbox.web_identity import unsigned_token
from obsctl.verify import verify_session
from obsctl.verify.model import Report, Status
from obsctl.workspace.session import Session, open_session

pytestmark = pytest.mark.xdist_group("topology")

REMOTE_ACCOUNT = "210987654321"
REGION = "us-east-1"
REMOTE_ISSUER = issuer_url(REMOTE_ACCOUNT, REGION, "workload")
TWO_CLUSTERS = (
    'clusters={ workload = { name = "workload", account_id = "'
    + REMOTE_ACCOUNT
    + '", issuer_url = "'
    + REMOTE_ISSUER
    + '", create_oidc_provider = true } }'
)
KEPT_TYPES = {
    "aws_iam_role",
    "aws_s3_bucket",
    "aws_kms_key",
    "aws_dynamodb_table",
    "aws_s3_bucket_versioning",
}
OBJECTS = {"mimir": ("blocks", "tenant/01BLOCK/meta.json"), "loki": ("chunks", "fake/chunk")}


@dataclass
class Topology:
    folder: Path
    sandbox: Sandbox

    def apply(self, env: str, variables: list[str]) -> tuple[Session, list[dict[str, Any]]]:
        """Plan and apply; the plan's changes to resources that hold data or identity."""
        session = open_session(env, "local", variables=variables)
        session.init()
        plan = session.plan()
        changes = [
            event["change"]
            for event in plan.events
            if event.get("type") == "planned_change"
            and event["change"]["resource"]["resource_type"] in KEPT_TYPES
        ]
        session.apply(plan)
        return session, changes


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    previous = os.environ.get("OBSCTL_STATE_DIR")
    folder = tmp_path_factory.mktemp("topology")
    os.environ["OBSCTL_STATE_DIR"] = str(folder)
    started = time.monotonic()
    try:
        yield Topology(folder, Sandbox(folder / "sandbox"))
    finally:
        Sandbox(folder / "sandbox").stop()
        if previous is None:
            os.environ.pop("OBSCTL_STATE_DIR", None)
        else:
            os.environ["OBSCTL_STATE_DIR"] = previous
        print(f"\ntopology integration module: {time.monotonic() - started:.0f} s")


def _identities(session: Session) -> dict[str, str]:
    """What identifies each role, bucket and key: a replacement changes it."""
    sandbox = session.sandbox
    assert sandbox is not None
    contract = session.contract()
    iam, s3, kms = sandbox.client("iam"), sandbox.client("s3"), sandbox.client("kms")
    found = {}
    for app, role in contract.roles.items():
        found[f"role {app}"] = iam.get_role(RoleName=role.name)["Role"]["RoleId"]
    created = {b["Name"]: str(b["CreationDate"]) for b in s3.list_buckets()["Buckets"]}
    for app, stores in contract.buckets.items():
        for store, bucket in stores.items():
            found[f"bucket {app}/{store}"] = created[bucket.name]
    for app, key in contract.kms_keys.items():
        found[f"key {app}"] = kms.describe_key(KeyId=key.arn)["KeyMetadata"]["CreationDate"]
    return found


@contextmanager
def _policies_lifted(s3: Any, *buckets: str) -> Iterator[None]:
    """The local AWS honours the buckets' TLS-only deny but not its condition: lift the bucket
    policies to read and write objects, and put them back as they were."""
    saved = {bucket: s3.get_bucket_policy(Bucket=bucket)["Policy"] for bucket in buckets}
    for bucket in buckets:
        s3.delete_bucket_policy(Bucket=bucket)
    try:
        yield
    finally:
        for bucket, policy in saved.items():
            s3.put_bucket_policy(Bucket=bucket, Policy=policy)


def _put_objects(session: Session) -> dict[str, str]:
    sandbox, contract = session.sandbox, session.contract()
    assert sandbox is not None
    s3, written = sandbox.client("s3"), {}
    for app, (store, key) in OBJECTS.items():
        written[contract.buckets[app][store].name] = key
    with _policies_lifted(s3, *written):
        for bucket, key in written.items():
            s3.put_object(Bucket=bucket, Key=key, Body=f"{bucket} data".encode())
    return written


def _objects_kept(session: Session, written: dict[str, str]) -> None:
    sandbox = session.sandbox
    assert sandbox is not None
    s3 = sandbox.client("s3")
    with _policies_lifted(s3, *written):
        for bucket, key in written.items():
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            assert body == f"{bucket} data".encode(), (bucket, key)


def _assume(session: Session, app: str, issuer: str, subject: str) -> str:
    """AssumeRoleWithWebIdentity on the local AWS: the account of the credentials, or the
    error code STS answered."""
    from botocore.exceptions import ClientError

    sandbox = session.sandbox
    assert sandbox is not None
    role_arn = session.contract().roles[app].arn
    try:
        answer = sandbox.client("sts").assume_role_with_web_identity(
            RoleArn=role_arn,
            RoleSessionName="topology",
            WebIdentityToken=unsigned_token(issuer, subject),
        )
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return answer["AssumedRoleUser"]["Arn"].split(":")[4]


def _explain(report: Report) -> list[tuple[str, str, str]]:
    return [(r.control_id, r.subject.name, r.found) for r in report.failures]


def test_one_cluster_then_two_then_one_replaces_nothing_and_loses_nothing(
    topology: Topology,
) -> None:
    session, _ = topology.apply("dev", [])
    before = _identities(session)
    written = _put_objects(session)
    first = session.contract().clusters
    (first_issuer,) = [c.issuer_url for c in first.values()]
    assert first_issuer is not None

    session, changes = topology.apply("dev", [TWO_CLUSTERS])
    assert [c for c in changes if c["action"] in ("delete", "replace", "create")] == []
    assert _identities(session) == before
    _objects_kept(session, written)
    clusters = session.contract().clusters
    assert set(clusters) == set(first) | {"workload"}
    assert clusters["workload"].account_id == REMOTE_ACCOUNT
    stack_account = session.contract().account_id

    # STS on the local AWS, by the trust as written: each cluster's Mimir service account
    # assumes the Mimir role (credentials in the stack's account), never Loki's.
    for issuer in (first_issuer, REMOTE_ISSUER):
        assert _assume(session, "mimir", issuer, "system:serviceaccount:mimir:mimir") == (
            stack_account
        )
        assert _assume(session, "loki", issuer, "system:serviceaccount:mimir:mimir") == (
            "AccessDenied"
        )
    # a cluster nobody registered is refused whatever it presents
    stranger = issuer_url(REMOTE_ACCOUNT, REGION, "stranger")
    assert _assume(session, "mimir", stranger, "system:serviceaccount:mimir:mimir") == (
        "InvalidIdentityToken"
    )

    report = verify_session(session)
    assert report.ok, _explain(report)
    by_cluster = {
        r.subject.name: r.status for r in report.results if r.control_id == "iam.cluster-subjects"
    }
    assert by_cluster == dict.fromkeys(clusters, Status.PASS)
    remote_row = report.access_matrix["workload: system:serviceaccount:mimir:mimir"]
    assert remote_row == report.access_matrix[session.contract().roles["mimir"].name]
    assert remote_row and not any("loki" in label for label in remote_row)

    session, changes = topology.apply("dev", [])
    assert [c for c in changes if c["action"] in ("delete", "replace", "create")] == []
    assert _identities(session) == before
    _objects_kept(session, written)
    assert set(session.contract().clusters) == set(first)
    # the remote issuer's provider, registered by the stack, left with its cluster
    assert _assume(session, "mimir", REMOTE_ISSUER, "system:serviceaccount:mimir:mimir") == (
        "InvalidIdentityToken"
    )
    assert verify_session(session).ok


def test_prod_with_a_replica_region_replicates_objects_and_passes_verify(
    topology: Topology,
) -> None:
    session, _ = topology.apply("prod", ["replica_region=us-west-2"])
    contract = session.contract()
    replication = contract.replication
    assert replication is not None and replication.region == "us-west-2"
    sandbox = session.sandbox
    assert sandbox is not None
    s3 = sandbox.client("s3")
    source = contract.buckets["mimir"]["blocks"].name
    replica = replication.buckets["mimir"]["blocks"]
    assert replica.source == source
    assert s3.get_bucket_location(Bucket=replica.name)["LocationConstraint"] == "us-west-2"

    copied: dict[str, Any] | None = None
    with _policies_lifted(s3, source, replica.name):
        s3.put_object(Bucket=source, Key="tenant/01BLOCK/meta.json", Body=b"{}")
        for _ in range(50):  # S3 replicates asynchronously; the local AWS once it has answered
            if s3.list_objects_v2(Bucket=replica.name).get("KeyCount"):
                copied = s3.get_object(Bucket=replica.name, Key="tenant/01BLOCK/meta.json")
                break
            time.sleep(0.1)
        assert copied is not None, "the object never reached the replica"
        assert copied["Body"].read() == b"{}"
    key_id = replica.kms_key_arn.rsplit("/", 1)[-1]
    assert copied["SSEKMSKeyId"] in (replica.kms_key_arn, key_id)

    report = verify_session(session)
    assert report.ok, _explain(report)
    replication_results = [r for r in report.results if r.control_id == "s3.replication"]
    assert any(replica.name in r.found for r in replication_results)


GUIDE = Path(__file__).resolve().parents[2] / "docs" / "topology.md"
OBSCTL = shutil.which("obsctl") or str(Path(sys.executable).parent / "obsctl")


def _obsctl(topology: Topology, command: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OBSCTL_STATE_DIR": str(topology.folder)}
    return subprocess.run(
        [OBSCTL, *command[1:]], capture_output=True, text=True, env=env, timeout=900, check=False
    )


def test_the_topology_guide_runs_as_written(topology: Topology) -> None:
    """docs/topology.md's flow block, verbatim, on the stacks the tests above applied."""
    text = GUIDE.read_text(encoding="utf-8")
    match = re.search(r"<!-- flow: topology -->\n```sh\n(.*?)```", text, re.DOTALL)
    assert match, "docs/topology.md has no flow block"
    commands = [shlex.split(line) for line in match.group(1).splitlines() if line.strip()]
    assert commands and all(command[0] == "obsctl" for command in commands)
    assert REMOTE_ISSUER in match.group(1)  # the issuer the local AWS gives that cluster
    for command in commands:
        result = _obsctl(topology, command)
        assert result.returncode == 0, f"{shlex.join(command)}:\n{result.stdout}\n{result.stderr}"
        if command[1] == "values":  # the next `up` removes the folder of the dropped cluster
            assert (topology.folder / "values" / "dev" / "workload" / "README.md").is_file()
    priced = _obsctl(topology, [*commands[-1], "--json"])
    assert priced.returncode == 0, priced.stderr
    assert "inter-Region transfer us-east-1 to us-west-2" in priced.stdout


@pytest.mark.parametrize(
    ("env", "variable", "sentence"),
    [
        (
            "dev",
            'clusters={ a = { issuer_url = "https://oidc.example.com/id/A", '
            'create_oidc_provider = true }, b = { issuer_url = "https://oidc.example.com/id/A", '
            "create_oidc_provider = true } }",
            "a cluster is listed once",
        ),
        (
            "dev",
            'clusters={ a = { issuer_url = "http://oidc.example.com/id/A", '
            "create_oidc_provider = true } }",
            "must start with https://",
        ),
        (
            "dev",
            'clusters={ a = { issuer_url = "https://oidc.example.com/id/A", '
            'create_oidc_provider = true, workloads = { mimir = { namespace = "obs", '
            'service_accounts = ["shared"] }, loki = { namespace = "obs", '
            'service_accounts = ["shared"] } } } }',
            "a subject (namespace/service account) means one app",
        ),
        ("prod", "replica_region=us-east-1", "the stack's own region"),
    ],
    ids=["cluster-twice", "issuer-not-https", "subject-under-two-apps", "replica-region-same"],
)
def test_a_bad_topology_is_refused_at_plan_time_in_one_sentence(
    topology: Topology, env: str, variable: str, sentence: str
) -> None:
    result = _obsctl(topology, ["obsctl", "plan", "--env", env, "--var", variable])
    assert result.returncode == 2, result.stdout + result.stderr
    assert sentence in " ".join(result.stderr.split()), result.stderr
    assert "Traceback" not in result.stderr
