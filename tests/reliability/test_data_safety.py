"""Real settings changes never lose data, and prod's guards hold while its buckets hold objects.

Three stacks share one local AWS (each with its own name prefix):

- a dev-like root of our own (modules/stack with force_destroy, like terraform/envs/dev, but
  with every setting reachable): objects go into every bucket and an item into the Loki index
  table, then one settings change after another is planned, checked on the plan JSON (no bucket,
  key or table is replaced or destroyed, except the app being removed) and applied, and every
  object and the item must still be there afterwards;
- a prod-like root (force_destroy off, 30-day key window, table deletion protection): removing
  an app whose bucket holds objects must fail to destroy that bucket, and so must a destroy;
- terraform/envs/prod itself: tables carry deletion protection and keys a 30-day window,
  `obsctl down` refuses without --force, and with --force the destroy fails without losing an
  object.

The emulator ignores the condition of the buckets' TLS-only policy and so denies object writes
(not listings): a write lifts the policy first, and the next apply puts it back.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from obsctl.sandbox import Sandbox
from obsctl.terraform.runner import TerraformError
from obsctl.workspace import LOCAL_STATE_BUCKET
from obsctl.workspace.session import Session, open_session
from tests.reliability.conftest import Workbench

# One worker runs the whole module under `pytest -n 2 --dist loadgroup` (make test): its
# cases share one sandbox and stack through module-scoped fixtures.
pytestmark = pytest.mark.xdist_group("reliability_data_safety")

REPO = Path(__file__).resolve().parents[2]
DEV_ROOT = REPO / "terraform" / "envs" / "dev"
STACK = REPO / "terraform" / "modules" / "stack"
CLUSTER = "lgtm-safety"
DATA_TYPES = ("aws_s3_bucket", "aws_kms_key", "aws_dynamodb_table")
ITEM = {"h": {"S": "fake:d19700:logs"}, "r": {"B": b"\x01\x02"}, "c": {"B": b"chunk-ref"}}
KEYS_BY_STORE = {
    "blocks": ["anonymous/01HZXBLOCK/meta.json", "__mimir_cluster/mimir_cluster_seed.json"],
    "ruler": ["anonymous/rules/group.yaml"],
    "alertmanager": ["alertmanager/anonymous/fullstate"],
    "chunks": ["fake/3f2a:18c:18c:abc", "index/index_19700/fake.tsdb.gz", "loki_cluster_seed.json"],
    "traces": ["single-tenant/5b1c-block/data.parquet", "single-tenant/index.json.gz"],
}


# ----------------------------------------------------------------------------------------------
# A root of our own around modules/stack


def write_stack_root(folder: Path, arguments: dict[str, str]) -> Path:
    """A root calling modules/stack with `arguments` (HCL values), re-exporting the contract.

    The module source is relative: Terraform treats an absolute path as a package of its own,
    and the stack's `../s3-kms` calls would then escape it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("versions.tf", "outputs.tf"):
        shutil.copy(DEV_ROOT / name, folder / name)
    (folder / "variables.tf").write_text(
        'variable "region" {\n  type    = string\n  default = "us-east-1"\n}\n\n'
        'variable "eks_cluster_name" {\n  type = string\n}\n',
        encoding="utf-8",
    )
    body = "\n".join(f"  {name} = {value}" for name, value in arguments.items())
    source = os.path.relpath(STACK, folder)
    (folder / "main.tf").write_text(
        f'module "stack" {{\n  source           = "{source}"\n'
        # One region: the stack's replica provider (for optional replication) is the default one.
        "  providers        = { aws = aws, aws.replica = aws }\n"
        f"  eks_cluster_name = var.eks_cluster_name\n{body}\n}}\n",
        encoding="utf-8",
    )
    return folder


@dataclass
class Stack:
    """A root under test, its current settings and what was written into its stores."""

    root: Path
    settings: dict[str, str]
    sandbox: Sandbox
    objects: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    session: Session | None = None
    outputs: dict[str, Any] | None = None

    def buckets_written(self) -> set[str]:
        return set(self.objects)

    def open(self) -> Session:
        self.outputs = None
        write_stack_root(self.root, self.settings)
        session = open_session(None, "local", self.root, variables=[f"eks_cluster_name={CLUSTER}"])
        session.init()
        self.session = session
        return session

    def plan(self) -> tuple[Session, Any, dict[str, Any]]:
        session = self.open()
        plan = session.plan()
        return session, plan, session.plan_json(plan)

    def contract(self) -> Any:
        """The deployed contract: the last apply's outputs, else `terraform output`."""
        assert self.session is not None
        return self.session.contract(self.outputs)

    def buckets(self) -> dict[str, str]:
        """store key ("loki-chunks") -> bucket name, from the deployed contract."""
        return {
            f"{app}-{store}": bucket.name
            for app, stores in self.contract().buckets.items()
            for store, bucket in stores.items()
        }

    def client(self, service: str) -> Any:
        return self.sandbox.client(service)

    def write(self, store: str, bucket: str) -> None:
        """Objects into one bucket: lift its TLS-only policy (the emulator denies every object
        call under it), write, and record key -> (version, ETag)."""
        s3 = self.client("s3")
        s3.delete_bucket_policy(Bucket=bucket)
        for key in KEYS_BY_STORE[store.split("-", 1)[1]]:
            s3.put_object(Bucket=bucket, Key=key, Body=f"{bucket}/{key}".encode())
        self.objects[bucket] = _versions(s3, bucket)

    def lost(self, buckets: list[str] | None = None) -> dict[str, Any]:
        """What is no longer there, per bucket, of the objects written (listings are allowed
        under the restored policy)."""
        s3, lost = self.client("s3"), {}
        live = {b["Name"] for b in s3.list_buckets()["Buckets"]}
        for bucket, versions in self.objects.items():
            if buckets is not None and bucket not in buckets:
                continue
            if bucket not in live:
                lost[bucket] = "the bucket is gone"
                continue
            now = _versions(s3, bucket)
            missing = {key: version for key, version in versions.items() if now.get(key) != version}
            if missing:
                lost[bucket] = missing
        return lost


def _versions(s3: Any, bucket: str) -> dict[str, tuple[str, str]]:
    """The latest version of every key, as (version id, ETag); a delete marker counts as gone."""
    listing = s3.list_object_versions(Bucket=bucket)
    deleted = {m["Key"] for m in listing.get("DeleteMarkers", []) if m["IsLatest"]}
    return {
        v["Key"]: (v["VersionId"], v["ETag"])
        for v in listing.get("Versions", [])
        if v["IsLatest"] and v["Key"] not in deleted
    }


def data_changes(plan: dict[str, Any]) -> dict[str, list[str]]:
    """Buckets, keys and tables the plan replaces or destroys: address -> actions."""
    return {
        change["address"]: change["change"]["actions"]
        for change in plan.get("resource_changes", [])
        if change.get("mode") == "managed"
        and change["type"] in DATA_TYPES
        and "delete" in change["change"]["actions"]
    }


def changed_types(plan: dict[str, Any]) -> dict[str, set[str]]:
    """Resource type -> the actions the plan takes on it (no-ops and reads left out)."""
    found: dict[str, set[str]] = {}
    for change in plan.get("resource_changes", []):
        actions = change["change"]["actions"]
        if change.get("mode") == "managed" and actions not in (["no-op"], ["read"]):
            found.setdefault(change["type"], set()).update(actions)
    return found


def pending_deletion(kms: Any, arns: list[str]) -> list[str]:
    return [
        arn
        for arn in arns
        if kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    ]


# ----------------------------------------------------------------------------------------------
# The shared local AWS


PROD_TABLES = ["create_loki_tables=true", "create_mimir_tables=true"]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    base = tmp_path_factory.mktemp("data-safety")
    bench = Workbench(base / "obsctl")
    bench.state_dir.mkdir()
    previous = os.environ.get("OBSCTL_STATE_DIR")
    os.environ["OBSCTL_STATE_DIR"] = str(bench.state_dir)
    try:
        assert bench.obsctl("sandbox", "start").returncode == 0
        yield bench
    finally:
        bench.sandbox.stop()
        if previous is None:
            os.environ.pop("OBSCTL_STATE_DIR", None)
        else:
            os.environ["OBSCTL_STATE_DIR"] = previous


# ----------------------------------------------------------------------------------------------
# dev-like: one change after another, each planned, checked, applied


DEV_BASELINE = {
    "environment": '"dev"',
    "name_prefix": '"safe-dev"',
    "apps": '["mimir", "loki", "grafana"]',
    "force_destroy": "true",
    "kms": "{ deletion_window_in_days = 7 }",
    "noncurrent_version_expiration_days": "7",
    "create_loki_tables": "true",
    "dynamodb": "{ deletion_protection = false }",
}


@pytest.fixture(scope="module")
def dev(lab: Workbench) -> Stack:
    stack = Stack(lab.state_dir.parent / "safe-dev", dict(DEV_BASELINE), lab.sandbox)
    session = stack.open()
    stack.outputs = session.apply(session.plan()).outputs
    for store, bucket in stack.buckets().items():
        stack.write(store, bucket)
    table = stack.contract().tables["loki"][0].name
    stack.client("dynamodb").put_item(TableName=table, Item=ITEM)
    return stack


@dataclass(frozen=True)
class Change:
    id: str
    settings: dict[str, str | None]  # None removes a setting (back to the module default)
    touches: dict[str, str]  # resource type -> an action the plan must take on it


CHANGES = [
    Change(
        "add-an-app",
        {"apps": '["mimir", "loki", "tempo", "grafana"]'},
        {"aws_s3_bucket": "create", "aws_kms_key": "create", "aws_iam_role": "create"},
    ),
    Change(
        "tags",
        {"tags": '{ team = "observability", "cost-center" = "4711" }'},
        {
            "aws_s3_bucket": "update",
            "aws_kms_key": "update",
            "aws_dynamodb_table": "update",
            "aws_iam_role": "update",
        },
    ),
    Change(
        "retention",
        {"retention_days": "{ mimir = 90, loki = 21, tempo = 21 }"},
        {"aws_s3_bucket": "update"},
    ),
    Change(
        "lifecycle-days",
        {
            "noncurrent_version_expiration_days": "14",
            "loki_chunks_expiry": '{ days = 60, tenant_prefixes = ["fake/"] }',
            "mimir_blocks_expiry": '{ days = 180, tenant_prefixes = ["anonymous/"] }',
        },
        {"aws_s3_bucket": "update"},
    ),
    Change(
        "storage-transitions",
        {
            "storage_transitions": '{ mimir = [{ days = 30, storage_class = "STANDARD_IA" }, '
            '{ days = 90, storage_class = "GLACIER_IR" }], '
            'loki = [{ days = 30, storage_class = "INTELLIGENT_TIERING" }] }'
        },
        {"aws_s3_bucket": "update"},
    ),
    Change(
        "access-logging",
        {"access_logging": "{ enabled = true, retention_days = 90 }"},
        {"aws_s3_bucket": "create", "aws_s3_bucket_logging": "create"},
    ),
    Change(
        "add-a-gsi",
        {
            "dynamodb": "{ deletion_protection = false, global_secondary_indexes = "
            '[{ name = "by-tenant", hash_key = "tenant", hash_key_type = "S" }] }'
        },
        {"aws_dynamodb_table": "update"},
    ),
    Change(
        "irsa-to-pod-identity",
        {"workloads": '{ loki = { identity = "pod_identity" } }'},
        {"aws_iam_role": "update", "aws_eks_pod_identity_association": "create"},
    ),
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.id)
def test_a_settings_change_replaces_or_destroys_no_bucket_key_or_table(
    dev: Stack, change: Change
) -> None:
    _update(dev.settings, change.settings)
    session, plan, document = dev.plan()

    assert data_changes(document) == {}
    touched = changed_types(document)
    for resource_type, action in change.touches.items():
        assert action in touched.get(resource_type, set()), (resource_type, touched)

    completed = session.apply(plan)
    dev.outputs = completed.outputs
    assert dev.lost() == {}
    table = dev.contract().tables["loki"][0].name
    item = dev.client("dynamodb").get_item(TableName=table, Key={"h": ITEM["h"], "r": ITEM["r"]})
    assert item.get("Item", {}).get("c") == ITEM["c"]
    # Every bucket is back under its TLS-only policy after the apply.
    s3 = dev.client("s3")
    for bucket in dev.buckets().values():
        assert "DenyInsecureTransport" in s3.get_bucket_policy(Bucket=bucket)["Policy"], bucket
    if change.id == "add-an-app":
        dev.write("tempo-traces", dev.buckets()["tempo-traces"])


def _update(settings: dict[str, str], changes: dict[str, str | None]) -> None:
    for name, value in changes.items():
        if value is None:
            settings.pop(name, None)
        else:
            settings[name] = value


def test_the_changes_left_the_settings_the_contract_reports(dev: Stack) -> None:
    contract = dev.contract()
    assert contract.roles["mimir"].identity == "irsa"
    assert contract.roles["loki"].identity == (
        "pod_identity" if "workloads" in dev.settings else "irsa"
    )
    assert contract.settings.get("access_log_bucket") == "safe-dev-access-logs"
    table = dev.client("dynamodb").describe_table(TableName=contract.tables["loki"][0].name)
    assert [index["IndexName"] for index in table["Table"]["GlobalSecondaryIndexes"]] == [
        "by-tenant"
    ]


def test_removing_an_app_in_dev_destroys_only_that_apps_bucket_and_key(dev: Stack) -> None:
    """dev allows it (force_destroy): tempo's bucket goes with its objects, nothing else."""
    tempo_bucket = dev.buckets()["tempo-traces"]
    keys = {app: key.arn for app, key in dev.contract().kms_keys.items()}
    dev.settings["apps"] = '["mimir", "loki", "grafana"]'
    session, plan, document = dev.plan()

    destroyed = data_changes(document)
    assert destroyed and all('["tempo' in address for address in destroyed), destroyed
    assert all(actions == ["delete"] for actions in destroyed.values()), destroyed
    assert any(address.endswith('aws_s3_bucket.this["tempo-traces"]') for address in destroyed)

    dev.outputs = session.apply(plan).outputs
    dev.objects.pop(tempo_bucket)
    assert dev.lost() == {}
    kms = dev.client("kms")
    assert pending_deletion(kms, [keys["tempo"]]) == [keys["tempo"]]
    assert pending_deletion(kms, [keys["mimir"], keys["loki"]]) == []


# ----------------------------------------------------------------------------------------------
# prod-like: removing an app whose bucket holds objects, and destroying, must fail


PROD_BASELINE = {
    "environment": '"prod"',
    "name_prefix": '"safe-prod"',
    "force_destroy": "false",
    "kms": "{ deletion_window_in_days = 30 }",
    "create_loki_tables": "true",
    "dynamodb": "{ deletion_protection = true }",
}


@pytest.fixture(scope="module")
def prod_like(lab: Workbench) -> Stack:
    stack = Stack(lab.state_dir.parent / "safe-prod", dict(PROD_BASELINE), lab.sandbox)
    session = stack.open()
    stack.outputs = session.apply(session.plan()).outputs
    buckets = stack.buckets()
    for store in ("tempo-traces", "loki-chunks"):
        stack.write(store, buckets[store])
    stack.keys = {app: key.arn for app, key in stack.contract().kms_keys.items()}
    return stack


@pytest.fixture(scope="module")
def prod_like_without_tempo(prod_like: Stack) -> tuple[dict[str, Any], TerraformError | None]:
    """Remove tempo (its bucket holds objects): the plan JSON, and how the apply failed."""
    prod_like.settings["apps"] = '["mimir", "loki", "grafana"]'
    session, plan, document = prod_like.plan()
    try:
        session.apply(plan)
    except TerraformError as error:
        return document, error
    return document, None


def test_prod_removing_an_app_with_data_fails_to_destroy_its_bucket(
    prod_like: Stack, prod_like_without_tempo: tuple[dict[str, Any], TerraformError | None]
) -> None:
    document, error = prod_like_without_tempo
    planned = data_changes(document)
    assert any(address.endswith('aws_s3_bucket.this["tempo-traces"]') for address in planned)
    assert error is not None, "the apply destroyed tempo's non-empty bucket"
    assert "BucketNotEmpty" in error.message + (error.detail or ""), error.message
    live = {b["Name"] for b in prod_like.client("s3").list_buckets()["Buckets"]}
    assert prod_like.buckets_written() <= live
    assert prod_like.lost() == {}
    # If Tempo's key was scheduled for deletion (the xfail below), the 30-day window applies.
    kms = prod_like.client("kms")
    for arn in pending_deletion(kms, [prod_like.keys["tempo"]]):
        deletion = kms.describe_key(KeyId=arn)["KeyMetadata"]["DeletionDate"]
        assert (deletion - datetime.now(UTC)).days >= 29, deletion


def test_prod_a_bucket_that_refused_to_go_keeps_its_key(
    prod_like: Stack, prod_like_without_tempo: tuple[dict[str, Any], TerraformError | None]
) -> None:
    assert prod_like_without_tempo[1] is not None
    assert pending_deletion(prod_like.client("kms"), [prod_like.keys["tempo"]]) == []


def test_prod_like_destroy_fails_on_non_empty_buckets_and_loses_no_object(
    prod_like: Stack, prod_like_without_tempo: tuple[dict[str, Any], TerraformError | None]
) -> None:
    """Plain `terraform destroy` (what obsctl down runs) in the root, with the objects in."""
    prod_like.settings["apps"] = '["mimir", "loki", "tempo", "grafana"]'
    session = prod_like.open()
    destroyed = session.terraform.run(
        ["destroy", "-auto-approve", "-input=false", "-json", *session.variables]
    )

    assert destroyed.returncode == 1
    errors = " ".join(d.summary for d in destroyed.diagnostics if d.severity == "error")
    # DeleteBucket itself refuses (no bucket metrics here, see the prod env test below).
    for store in ("loki-chunks", "tempo-traces"):
        assert f"deleting S3 Bucket (safe-prod-{store})" in errors and "BucketNotEmpty" in errors
    live = {b["Name"] for b in prod_like.client("s3").list_buckets()["Buckets"]}
    assert prod_like.buckets_written() <= live
    assert prod_like.lost() == {}
    tables = prod_like.client("dynamodb").list_tables()["TableNames"]
    assert any(name.startswith("safe-prod-loki-index") for name in tables), tables


# ----------------------------------------------------------------------------------------------
# terraform/envs/prod itself


@pytest.fixture(scope="module")
def prod(lab: Workbench) -> dict[str, Any]:
    up = lab.obsctl(
        "up", "--env", "prod", "--var", "create_loki_tables=true", "--var",
        "create_mimir_tables=true", "--json",
    )  # fmt: skip
    assert up.returncode == 0, up.stderr
    outputs = json.loads(up.stdout)["outputs"]
    return {name: output["value"] for name, output in outputs.items()}


def test_prod_tables_have_deletion_protection_and_keys_a_30_day_window(
    lab: Workbench, prod: dict[str, Any]
) -> None:
    ddb = lab.sandbox.client("dynamodb")
    tables = [table["name"] for tables in prod["dynamodb_tables"].values() for table in tables]
    assert len(tables) == 2
    for name in tables:
        assert ddb.describe_table(TableName=name)["Table"]["DeletionProtectionEnabled"] is True
    assert prod["settings"]["kms_deletion_window_in_days"] == 30
    assert prod["settings"]["force_destroy"] is False
    state = lab.sandbox.client("s3").get_object(
        Bucket=LOCAL_STATE_BUCKET, Key="prod/terraform.tfstate"
    )
    windows = [
        instance["attributes"]["deletion_window_in_days"]
        for resource in json.loads(state["Body"].read())["resources"]
        if resource["type"] == "aws_kms_key"
        for instance in resource["instances"]
    ]
    assert windows == [30] * 4, windows  # the three telemetry keys and the operations key


def test_prod_down_without_force_refuses_and_changes_nothing(
    lab: Workbench, prod: dict[str, Any]
) -> None:
    before = lab.inventory()
    refused = lab.obsctl("down", "--env", "prod", "--yes")
    assert refused.returncode == 2
    assert refused.stderr.startswith("obsctl: Refusing to destroy prod without --force.")
    assert lab.inventory() == before


@dataclass
class ProdDestroy:
    objects: dict[str, dict[str, tuple[str, str]]]
    refused: subprocess.CompletedProcess[str]  # obsctl down --force, refused before planning
    inventory_unchanged: bool
    error: TerraformError | None  # terraform destroy itself, run anyway


@pytest.fixture(scope="module")
def prod_destroyed(lab: Workbench, prod: dict[str, Any]) -> ProdDestroy:
    """Objects into prod's Loki chunks, Mimir blocks and Tempo traces; then `obsctl down --env
    prod --force`, and a plain Terraform destroy of the same state."""
    s3, written = lab.sandbox.client("s3"), {}
    for app, store in (("loki", "chunks"), ("mimir", "blocks"), ("tempo", "traces")):
        bucket = prod["buckets"][app][store]["name"]
        s3.delete_bucket_policy(Bucket=bucket)
        for key in KEYS_BY_STORE[store]:
            s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
        written[bucket] = _versions(s3, bucket)
    before = lab.inventory()
    refused = lab.obsctl("down", "--env", "prod", "--force", "--yes")
    unchanged = lab.inventory() == before
    session = open_session("prod", "local", variables=PROD_TABLES)
    session.init()
    error = None
    try:
        session.apply(session.plan(destroy=True))
    except TerraformError as caught:
        error = caught
    return ProdDestroy(written, refused, unchanged, error)


def test_prod_down_refuses_buckets_with_objects_before_destroying_anything(
    prod_destroyed: ProdDestroy,
) -> None:
    refused = prod_destroyed.refused
    assert refused.returncode == 1, refused.stderr
    (error,) = [line for line in refused.stderr.splitlines() if line.startswith("obsctl:")]
    assert error.startswith("obsctl: Refusing to destroy prod: 3 bucket(s) still hold")
    for bucket in prod_destroyed.objects:
        assert bucket in refused.stderr
    assert prod_destroyed.inventory_unchanged


def test_prod_destroy_with_objects_fails_and_loses_no_object(
    lab: Workbench, prod: dict[str, Any], prod_destroyed: ProdDestroy
) -> None:
    assert prod_destroyed.error is not None, "terraform destroy of prod with objects succeeded"
    # Both tables refuse (deletion protection); the data buckets holding objects and the
    # access-log bucket refuse DeleteBucket (BucketNotEmpty).
    errors = prod_destroyed.error.detail or ""
    for table in ("loki", "mimir"):
        assert f"Table 'lgtm-prod-123456789012-{table}-index' can't be deleted" in errors, errors
    for bucket in [*prod_destroyed.objects, "lgtm-prod-123456789012-access-logs"]:
        assert f"deleting S3 Bucket ({bucket})" in errors, errors
    assert "BucketNotEmpty" in errors
    s3 = lab.sandbox.client("s3")
    live = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    for bucket, versions in prod_destroyed.objects.items():
        assert bucket in live
        assert _versions(s3, bucket) == versions
    ddb = lab.sandbox.client("dynamodb")
    tables = [table["name"] for tables in prod["dynamodb_tables"].values() for table in tables]
    assert set(tables) <= set(ddb.list_tables()["TableNames"])
