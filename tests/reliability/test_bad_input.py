"""Bad input is refused with one clear sentence naming the input, before anything is created.

One local AWS serves every case. The dev env is applied into it first (and prod's state bucket
exists), so "the inventory did not change" compares a populated inventory, not two empty ones.

- Terraform cases: every validated input of every module and env root, with its bad values,
  driven where a user meets it: `obsctl plan|up --env ... --var` for what the env roots expose,
  `obsctl up --dir <root>` for a root of our own that calls modules/stack, and plain
  `terraform plan -json` for a root that calls one module directly (inputs the stack always
  sets itself). They run two at a time (every case has its own workspace, except the env
  roots' cases, which run one after another), so they share the sandbox and the provider floor.
- CLI cases: flags, roots and usage files obsctl refuses itself.

Each case asserts the sentence (it names the input), the exit code, the inventory before and
after, and that no Terraform state was written. Terraform's validation errors reach the user
as obsctl's headline (the module's own sentence) with a hint naming the rule that checked it;
the assertions look for the sentence in what obsctl prints before the `-v` detail.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from obsctl.errors import ExitCode
from obsctl.inventory import Inventory
from obsctl.terraform.cliconfig import resolve_provider_source, write_cli_config
from obsctl.workspace import LOCAL_STATE_BUCKET, resolve
from tests.reliability.conftest import Workbench

# One worker runs the whole module under `pytest -n 2 --dist loadgroup` (make test): its
# cases share one sandbox and stack through module-scoped fixtures.
pytestmark = pytest.mark.xdist_group("reliability_bad_input")

REPO = Path(__file__).resolve().parents[2]
MODULES = REPO / "terraform" / "modules"
DEV_ROOT = REPO / "terraform" / "envs" / "dev"
# A variable Terraform refuses is bad input like a bad flag: obsctl exits 2 for both.
TERRAFORM_REFUSAL = ExitCode.USAGE
WORKERS = 2
CLUSTER = "lgtm-dev"  # seeded by the first `obsctl up --env dev`; every own root reuses it


# ----------------------------------------------------------------------------------------------
# The cases


@dataclass(frozen=True)
class Case:
    """One bad value of one input, and what the refusal must say.

    `names` is the input the sentence must name, `says` a fragment of that same sentence. The
    case runs through `env` (obsctl `verb` with `--var`), a stack root of its own (`stack`: HCL
    arguments of `module "stack"`), or a root calling one module directly (`module`, `args`).
    """

    id: str
    names: str
    says: str
    env: str | None = None
    verb: str = "plan"
    vars: tuple[str, ...] = ()
    stack: dict[str, str] | None = None
    module: str | None = None
    args: dict[str, str] = field(default_factory=dict)

    @property
    def lane(self) -> str:
        """Cases of one env root share its workspace, so they run one after another."""
        return f"env:{self.env}" if self.env else self.id


def env(id: str, names: str, says: str, *vars: str, verb: str = "plan", on: str = "dev") -> Case:
    return Case(id, names, says, env=on, verb=verb, vars=vars)


def stack(id: str, names: str, says: str, **arguments: str) -> Case:
    return Case(id, names, says, stack=arguments)


def module(id: str, names: str, says: str, name: str, **arguments: str) -> Case:
    return Case(id, names, says, module=name, args=arguments)


# One more than an env root takes: every bucket also carries 6 tags of the stack's own.
FORTY_FIVE_TAGS = "{" + ", ".join(f'"team-{i}" = "x"' for i in range(45)) + "}"
LOKI_BUCKET = '["arn:aws:s3:::rel-loki-chunks"]'
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

TERRAFORM_CASES = [
    # --- env dev: what terraform/envs/dev exposes ---------------------------------------------
    env("dev-eks-cluster-name", "eks_cluster_name", "is not an EKS cluster name",
        "eks_cluster_name=bad cluster!"),
    env("dev-name-prefix-uppercase", "name_prefix", "must use only lowercase letters, digits",
        "name_prefix=Obs_Dev"),
    env("dev-name-prefix-reserved", "name_prefix", "starts with a prefix S3 reserves",
        "name_prefix=xn--lgtm", verb="up"),
    env("dev-name-prefix-too-long-for-longest-bucket", "name_prefix", "is too long: bucket",
        "name_prefix=platform-observability-production-eu-west-123", verb="up"),
    env("dev-retention-zero", "retention_days", "must be whole days of at least 1",
        "retention_days={loki=0}", verb="up"),
    env("dev-workloads-unknown-app", "workloads", "has an unknown app",
        'workloads={pyroscope={namespace="profiles"}}'),
    env("dev-workloads-unknown-identity", "workloads.loki.identity",
        'identity must be "irsa" or "pod_identity"', 'workloads={loki={identity="kiam"}}'),
    env("dev-workloads-service-account-wildcard", "workloads.loki.service_accounts",
        "names cannot contain wildcards", 'workloads={loki={service_accounts=["loki-*"]}}',
        verb="up"),
    env("dev-workloads-service-account-of-two-apps", "in workloads", "is claimed by loki and mimir",
        'workloads={mimir={namespace="loki",service_accounts=["loki"]}}'),
    env("dev-tags-aws-prefix", 'tags entry "aws:owner"', "cannot start with",
        'tags={"aws:owner"="platform"}'),
    env("dev-tags-beyond-the-limit", "tags", "give at most 44", f"tags={FORTY_FIVE_TAGS}"),
    env("dev-region", "region", "is not an AWS region name", "region=moon-1"),
    env("dev-tables-flag-not-a-bool", "create_loki_tables", "a bool is required",
        "create_loki_tables=maybe"),
    env("dev-undeclared-variable", '"retention"', "does not declare a variable of that name",
        "retention=30"),
    # --- env prod ------------------------------------------------------------------------------
    env("prod-kms-administrator-arn", "kms_administrator_arns", "is not an IAM role, user",
        'kms_administrator_arns=["arn:aws:iam::1234:role/admin"]', on="prod"),
    env("prod-alert-email", "alert_email_addresses", "is not an e-mail address",
        'alert_email_addresses=["oncall-at-example.com"]', on="prod"),
    env("prod-retention-negative", "retention_days", "must be whole days of at least 1",
        "retention_days={tempo=-3}", verb="up", on="prod"),
    # --- modules/stack in a root of our own (obsctl up --dir) ----------------------------------
    stack("stack-environment", "environment", "must be 1-15 lowercase letters",
          environment='"Prod!"'),
    stack("stack-apps-unknown", "apps", "the known apps are mimir, loki, tempo and grafana",
          apps='["mimir", "pyroscope"]'),
    stack("stack-tags-beyond-the-limit", "tags", "give at most 45",
          tags="{" + ", ".join(f'"t{i}" = "x"' for i in range(46)) + "}"),
    stack("stack-alerts-email", "alerts.email_addresses", "is not an e-mail address",
          alerts='{ enabled = true, email_addresses = ["nobody"] }'),
    stack("stack-audit-trail-type", "audit_trail.read_write_type", "must be WriteOnly, ReadOnly",
          audit_trail='{ enabled = true, read_write_type = "Writes" }'),
    stack("s3-loki-expiry-shorter-than-retention", "loki_chunks_expiry.days",
          "must exceed Loki's retention",
          loki_chunks_expiry='{ days = 10, tenant_prefixes = ["fake/"] }'),
    stack("s3-loki-expiry-of-the-index", "loki_chunks_expiry.tenant_prefixes",
          "never an empty prefix, index/",
          loki_chunks_expiry='{ days = 60, tenant_prefixes = ["index/"] }'),
    stack("s3-mimir-expiry-not-after-retention", "mimir_blocks_expiry.days",
          "must exceed Mimir's retention",
          mimir_blocks_expiry='{ days = 395, tenant_prefixes = ["anonymous/"] }'),
    stack("s3-mimir-expiry-of-the-cluster-seed", "mimir_blocks_expiry.tenant_prefixes",
          "covers __mimir_cluster/",
          mimir_blocks_expiry='{ days = 500, tenant_prefixes = ["__mimir_cluster/"] }'),
    stack("s3-transition-to-ia-before-30-days", "storage_transitions.loki",
          "moves objects to STANDARD_IA on day 7",
          storage_transitions='{ loki = [{ days = 7, storage_class = "STANDARD_IA" }] }'),
    stack("s3-transition-against-the-waterfall", "storage_transitions.mimir",
          "must go further down the waterfall",
          storage_transitions='{ mimir = [{ days = 30, storage_class = "GLACIER_IR" }, '
          '{ days = 90, storage_class = "STANDARD_IA" }] }'),
    stack("s3-transition-after-tempo-expiry", "storage_transitions.tempo",
          "Tempo's traces expire after",
          storage_transitions='{ tempo = [{ days = 30, storage_class = "GLACIER_IR" }] }'),
    stack("s3-transition-fractional-days", "storage_transitions.mimir",
          "transition days must be whole numbers",
          storage_transitions='{ mimir = [{ days = 30.5, storage_class = "GLACIER_IR" }] }'),
    stack("s3-kms-deletion-window-too-short", "kms.deletion_window_in_days",
          "must be between 7 and 30; got 5", kms="{ deletion_window_in_days = 5 }"),
    stack("s3-kms-rotation-period", "kms.rotation_period_in_days", "must be between 90 and 2560",
          kms="{ rotation_period_in_days = 30 }"),
    stack("s3-kms-strategy", "kms.strategy", "must be per_app, shared or existing",
          kms='{ strategy = "per_env" }'),
    stack("s3-kms-existing-alias-arn", "kms.existing_key_arns", "not an alias",
          kms='{ strategy = "existing", existing_key_arns = { '
          'mimir = "arn:aws:kms:us-east-1:123456789012:alias/mimir", '
          'loki = "arn:aws:kms:us-east-1:123456789012:alias/loki", '
          'tempo = "arn:aws:kms:us-east-1:123456789012:alias/tempo" } }'),
    stack("s3-noncurrent-expiry-zero", "noncurrent_version_expiration_days",
          "must be a whole number of at least 1", noncurrent_version_expiration_days="0"),
    stack("s3-access-log-target-bucket", "access_logging.target_bucket",
          "is not a valid S3 bucket name",
          access_logging='{ enabled = true, target_bucket = "Central_Logs" }'),
    stack("iam-oidc-provider-arn", "oidc.provider_arn", "an OIDC provider ARN must look like",
          oidc='{ provider_arn = "arn:aws:iam::123456789012:oidc/eks" }'),
    stack("iam-permissions-boundary-arn", "permissions_boundary_arn",
          "must be an IAM policy ARN",
          iam='{ permissions_boundary_arn = "arn:aws:iam::123456789012:role/boundary" }'),
    stack("iam-role-path", "role_path", "the characters +=,.@_- between the slashes",
          iam='{ role_path = "lgtm team" }'),
    stack("iam-role-path-with-pod-identity", "role_path", "fail for roles with a path",
          iam='{ role_path = "/lgtm/" }', workloads='{ tempo = { identity = "pod_identity" } }'),
    stack("iam-session-duration", "max_session_duration", "from 3600 (1 hour) to 43200",
          iam="{ max_session_duration = 600 }"),
    stack("iam-grafana-workspace-arn", "grafana_access.prometheus_workspace_arns",
          "a workspace ARN must look like",
          grafana_access='{ prometheus_query = true, prometheus_workspace_arns = '
          '["arn:aws:aps:us-east-1:123456789012:ws-1"] }'),
    stack("ddb-periodic-tables-without-period", "periodic_tables.period_hours",
          "must be set when periodic_tables is given", create_loki_tables="true",
          dynamodb="{ periodic_tables = { first_period = 2800, count = 2 } }"),
    stack("ddb-billing-mode", "billing.mode", "must be PAY_PER_REQUEST or PROVISIONED",
          create_loki_tables="true", dynamodb='{ billing = { mode = "ON_DEMAND" } }'),
    stack("ddb-table-class", "table_class", "must be STANDARD or STANDARD_INFREQUENT_ACCESS",
          create_loki_tables="true", dynamodb='{ table_class = "GLACIER" }'),
    stack("ddb-ttl-attribute", "ttl_attribute", "not one of the index attributes",
          create_loki_tables="true", dynamodb='{ ttl_attribute = "h" }'),
    stack("ddb-gsi-attribute-type-clash", "global_secondary_indexes", "with more than one type",
          create_loki_tables="true",
          dynamodb='{ global_secondary_indexes = [{ name = "by-hash", hash_key = "h", '
          'hash_key_type = "N" }] }'),
    # --- one module called directly (plain terraform plan) -------------------------------------
    module("iam-pod-identity-without-cluster-name", "cluster_name",
           "Pod Identity associations need the EKS cluster name", "iam",
           name_prefix='"rel"', apps='{ loki = { identity = "pod_identity" } }'),
    module("iam-irsa-without-oidc-source", "oidc.provider_arn", "no OIDC source is set",
           "iam", name_prefix='"rel"', apps="{ loki = {} }"),
    module("iam-app-name-unknown", "apps", "allowed keys are mimir, loki, tempo and grafana",
           "iam", name_prefix='"rel"', cluster_name=f'"{CLUSTER}"', apps="{ pyroscope = {} }"),
    module("iam-name-prefix", "name_prefix", "the characters +=,.@_-", "iam",
           name_prefix='"obs/dev lgtm"', cluster_name=f'"{CLUSTER}"'),
    module("iam-storage-kms-alias-arn", "storage.loki.kms_key_arns",
           "pass the key ARN instead", "iam", name_prefix='"rel"', cluster_name=f'"{CLUSTER}"',
           apps="{ loki = {} }",
           storage=f'{{ loki = {{ bucket_arns = {LOKI_BUCKET}, kms_key_arns = '
           '["arn:aws:kms:us-east-1:123456789012:alias/loki"] } }'),
    module("iam-storage-bucket-arn-with-path", "storage.loki.bucket_arns", "(no object path)",
           "iam", name_prefix='"rel"', cluster_name=f'"{CLUSTER}"', apps="{ loki = {} }",
           storage='{ loki = { bucket_arns = ["arn:aws:s3:::rel-loki-chunks/*"], '
           "kms_key_arns = [] } }"),
    module("iam-storage-for-an-app-without-role", "storage.loki",
           "is set but apps has no such entry", "iam", name_prefix='"rel"',
           cluster_name=f'"{CLUSTER}"', apps="{ mimir = {} }",
           storage=f'{{ loki = {{ bucket_arns = {LOKI_BUCKET}, kms_key_arns = ["{KEY_ARN}"] }} }}'),
    module("iam-dynamodb-table-arn", "dynamodb_table_arns.loki",
           "a DynamoDB table ARN must look like", "iam", name_prefix='"rel"',
           cluster_name=f'"{CLUSTER}"', apps="{ loki = {} }",
           dynamodb_table_arns='{ loki = ["arn:aws:dynamodb:us-east-1:123456789012:loki-index"] }'),
    module("iam-tags-beyond-the-role-limit", "tags", "IAM allows at most 50 tags", "iam",
           name_prefix='"rel"', cluster_name=f'"{CLUSTER}"',
           tags="{" + ", ".join(f'"t{i}" = "x"' for i in range(51)) + "}"),
    module("ddb-table-key-missing", "kms_key_arns.loki", "must be set when create_loki_tables",
           "dynamodb", name_prefix='"rel"', create_loki_tables="true"),
    module("ddb-alarms-without-topic", "alarm_topic_arn", "the alarms need an SNS topic",
           "dynamodb", name_prefix='"rel"', create_alarms="true"),
    module("ddb-alarm-topic-arn", "alarm_topic_arn", "is not a standard SNS topic ARN",
           "dynamodb", name_prefix='"rel"',
           alarm_topic_arn='"arn:aws:sqs:us-east-1:123456789012:alerts"'),
    module("ddb-alarm-period", "alarm_settings.period_seconds", "must be a multiple of 60",
           "dynamodb", name_prefix='"rel"', alarm_settings="{ period_seconds = 45 }"),
    module("ddb-name-prefix", "name_prefix", "DynamoDB rejects", "dynamodb",
           name_prefix='"lgtm dev"'),
    module("ddb-tags-aws-prefix", "tags keys", 'use the reserved prefix "aws:"', "dynamodb",
           name_prefix='"rel"', tags='{ "aws:owner" = "platform" }'),
    module("s3-apps-unknown", "apps", "the known apps are mimir, loki and tempo", "s3-kms",
           name_prefix='"rel"', apps='["mimir", "grafana"]'),
    module("s3-kms-via-services", "kms.via_services", "s3 and/or dynamodb", "s3-kms",
           name_prefix='"rel"', kms='{ via_services = ["sqs"] }'),
    module("s3-mimir-deletion-delay-negative", "mimir_compactor_deletion_delay_hours",
           "cannot be negative", "s3-kms", name_prefix='"rel"',
           mimir_compactor_deletion_delay_hours="-1"),
    module("s3-loki-delete-delay-negative", "loki_retention_delete_delay_hours",
           "cannot be negative", "s3-kms", name_prefix='"rel"',
           loki_retention_delete_delay_hours="-2"),
    module("s3-tags-aws-prefix", 'tags entry "aws:owner"', "cannot start with", "s3-kms",
           name_prefix='"rel"', tags='{ "aws:owner" = "platform" }'),
]  # fmt: skip


@dataclass(frozen=True)
class CliCase:
    """A flag, root or file obsctl refuses before it runs Terraform. `{files}` in an argument
    is the folder of prepared files; `{valid_root}` a root that would apply if not refused."""

    id: str
    args: tuple[str, ...]
    names: str
    says: str
    code: int = ExitCode.USAGE
    env: dict[str, str] = field(default_factory=dict)


def cli(
    id: str, names: str, says: str, *args: str, code: int = ExitCode.USAGE, **env: str
) -> CliCase:
    return CliCase(id, args, names, says, code, env)


CLI_CASES = [
    cli("unknown-env", "--env", "invalid choice: 'staging'", "up", "--env", "staging"),
    cli("unknown-target", "--target", "invalid choice: 'azure'", "plan", "--target", "azure"),
    cli("env-and-dir-together", "--dir", "not allowed with argument --env",
        "up", "--env", "prod", "--dir", "{valid_root}"),
    cli("dir-is-a-file", "usage-types.yaml", "is not a folder", "up", "--dir",
        "{files}/usage-types.yaml"),
    cli("dir-without-tf-files", "empty", "holds no .tf files", "plan", "--dir", "{files}/empty"),
    cli("dir-without-the-stack-contract", "missing outputs: contract_version",
        "does not expose the stack contract", "up", "--dir", "{files}/no-contract"),
    cli("dir-with-an-unsupported-backend", "'gcs' backend", "on the local target obsctl runs",
        "up", "--dir", "{files}/gcs-backend"),
    cli("var-without-equals", "--var 'retention_days'", "is not NAME=VALUE", "plan",
        "--var", "retention_days"),
    cli("var-without-a-name", "--var '=5'", "is not NAME=VALUE", "up", "--var", "=5"),
    cli("kafka-address-before-apply", "--kafka-address kafka", "is not one broker address",
        "up", "--env", "prod", "--kafka-address", "kafka"),
    cli("down-prod-without-force", "--force", "Refusing to destroy prod", "down", "--env", "prod",
        "--yes"),
    cli("down-prod-root-by-dir-without-force", "--force", "Refusing to destroy prod", "down",
        "--dir", str(REPO / "terraform" / "envs" / "prod"), "--yes"),
    cli("aws-target-with-the-local-endpoint", "AWS_ENDPOINT_URL", "points at the local AWS",
        "plan", "--env", "prod", "--target", "aws", AWS_ENDPOINT_URL="{endpoint}"),
    cli("terraform-binary-missing", "/nonexistent/terraform", "was not found", "plan",
        "--binary", "/nonexistent/terraform", code=ExitCode.FAILED),
    cli("usage-wrong-type", "loki.raw_gb_per_day", "must be a number, got 'lots'", "cost",
        "--usage", "{files}/usage-types.yaml"),
    cli("usage-negative-volume", "mimir.active_series", "must be at least 0, got -5", "cost",
        "--usage", "{files}/usage-negative.yaml"),
    cli("usage-share-above-one", "loki.small_chunk_share", "must be at most 1, got 1.5", "cost",
        "--usage", "{files}/usage-share.yaml"),
    cli("usage-unknown-field", "loki.raw_gb_per_dya", "did you mean raw_gb_per_day?", "cost",
        "--usage", "{files}/usage-typo.yaml"),
    cli("usage-not-yaml", "usage-broken.yaml", "is not valid YAML at line", "cost", "--usage",
        "{files}/usage-broken.yaml"),
    cli("usage-wrong-version", "version", "version must be 1, got 2", "cost", "--usage",
        "{files}/usage-version.yaml"),
    cli("usage-file-missing", "usage-missing.yaml", "does not exist", "cost", "--usage",
        "{files}/usage-missing.yaml"),
    cli("usage-and-preset-together", "--preset", "cannot be combined", "cost", "--usage",
        "{files}/usage-negative.yaml", "--preset", "medium"),
    cli("unknown-preset", "'huge'", "Unknown usage preset", "cost", "--preset", "huge"),
    cli("cost-out-folder-missing", "--out", "does not exist", "cost", "--preset", "small",
        "--out", "/nonexistent/folder/report.md"),
    cli("values-release-name", "--release loki=Loki!", "is not a Helm release name", "values",
        "--release", "loki=Loki!", "--out", "{files}/values-out"),
]  # fmt: skip

USAGE_FILES = {
    "usage-types.yaml": "loki:\n  raw_gb_per_day: lots\n",
    "usage-negative.yaml": "mimir:\n  active_series: -5\n",
    "usage-share.yaml": "loki:\n  small_chunk_share: 1.5\n",
    "usage-typo.yaml": "loki:\n  raw_gb_per_dya: 20\n",
    "usage-broken.yaml": "mimir:\n  active_series: [1, 2\n",
    "usage-version.yaml": "version: 2\n",
}


# ----------------------------------------------------------------------------------------------
# The stage: one sandbox with dev applied


@dataclass
class Outcome:
    returncode: int
    output: str
    before: Inventory
    after: Inventory
    clusters_before: frozenset[str]
    clusters_after: frozenset[str]
    state: list[str]  # Terraform state the case left behind (none expected)
    seconds: float


@dataclass
class Stage:
    bench: Workbench
    base: Path
    tf_env: dict[str, str]
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def dev_state(self) -> Path:
        return self.bench.state_dir / "targets" / "local" / "dev" / "terraform.tfstate"

    def snapshot(self) -> tuple[Inventory, frozenset[str]]:
        """The tracked inventory and the EKS clusters (boto3 clients are made one at a time)."""
        with self.lock:
            eks = self.bench.sandbox.client("eks")
            return self.bench.inventory(), frozenset(eks.list_clusters()["clusters"])

    def prod_states(self) -> list[str]:
        with self.lock:
            s3 = self.bench.sandbox.client("s3")
        listing = s3.list_objects_v2(Bucket=LOCAL_STATE_BUCKET, Prefix="prod")
        return [item["Key"] for item in listing.get("Contents", [])]

    def measure(self, run: Callable[[], tuple[int, str, list[str]]]) -> Outcome:
        before, clusters_before = self.snapshot()
        started = time.monotonic()
        code, output, state = run()
        seconds = time.monotonic() - started
        after, clusters_after = self.snapshot()
        return Outcome(code, output, before, after, clusters_before, clusters_after, state, seconds)


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stage]:
    base = tmp_path_factory.mktemp("bad-input")
    bench = Workbench(base / "obsctl")
    bench.state_dir.mkdir()
    previous = os.environ.get("OBSCTL_STATE_DIR")
    os.environ["OBSCTL_STATE_DIR"] = str(bench.state_dir)
    try:
        started = bench.obsctl("sandbox", "start")
        assert started.returncode == 0, started.stderr
        up = bench.obsctl("up", "--env", "dev", "--json")
        assert up.returncode == 0, up.stderr
        # prod keeps its state in a bucket of the sandbox, created on its first init: create it
        # now, so a prod case's inventory cannot change by the tool's own state bucket.
        prod = bench.obsctl("plan", "--env", "prod")
        assert prod.returncode == 0, prod.stderr
        sandbox_env = json.loads(bench.obsctl("sandbox", "env", "--json").stdout)
        tf_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        source = resolve_provider_source()
        assert source is not None, "neither the Terraform registry nor a hashicorp/aws mirror"
        config = write_cli_config(base / "tfcli", source)
        if config is not None:
            tf_env["TF_CLI_CONFIG_FILE"] = str(config)
        tf_env.update(sandbox_env, CHECKPOINT_DISABLE="1")
        yield Stage(bench, base, tf_env)
    finally:
        bench.sandbox.stop()
        if previous is None:
            os.environ.pop("OBSCTL_STATE_DIR", None)
        else:
            os.environ["OBSCTL_STATE_DIR"] = previous


# ----------------------------------------------------------------------------------------------
# Running the cases


def write_stack_root(folder: Path, arguments: dict[str, str]) -> Path:
    """A root calling modules/stack with `arguments` (HCL), exposing the stack contract."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("versions.tf", "outputs.tf"):
        shutil.copy(DEV_ROOT / name, folder / name)
    (folder / "variables.tf").write_text(
        'variable "region" {\n  type    = string\n  default = "us-east-1"\n}\n\n'
        'variable "eks_cluster_name" {\n  type = string\n}\n',
        encoding="utf-8",
    )
    settings = {
        "environment": '"dev"',
        "eks_cluster_name": "var.eks_cluster_name",
        "name_prefix": '"rel-bad-input"',
        "force_destroy": "true",
        **arguments,
    }
    body = "\n".join(f"  {name} = {value}" for name, value in settings.items())
    source = local_source(folder, MODULES / "stack")
    (folder / "main.tf").write_text(
        f'module "stack" {{\n  source = "{source}"\n'
        # One region: the stack's replica provider (for optional replication) is the default one.
        "  providers = { aws = aws, aws.replica = aws }\n\n"
        f"{body}\n}}\n",
        encoding="utf-8",
    )
    return folder


def local_source(root: Path, module_dir: Path) -> str:
    """A module source relative to the root: Terraform treats an absolute path as a package of
    its own, from which the stack's `../s3-kms` calls would escape (init fails)."""
    return os.path.relpath(module_dir, root)


def _run_env_case(stage: Stage, case: Case) -> tuple[int, str, list[str]]:
    before = _digest(stage.dev_state)
    args = ["-v", case.verb, "--env", str(case.env)]
    for item in case.vars:
        args += ["--var", item]
    result = stage.bench.obsctl(*args)
    if case.env == "dev":
        state = [] if _digest(stage.dev_state) == before else [str(stage.dev_state)]
    else:
        state = [key for key in stage.prod_states() if key.endswith(".tfstate")]
    return result.returncode, result.stderr, state


def _run_stack_case(stage: Stage, case: Case) -> tuple[int, str, list[str]]:
    assert case.stack is not None
    root = write_stack_root(stage.base / "roots" / case.id, case.stack)
    result = stage.bench.obsctl(
        "-v", "up", "--dir", str(root), "--var", f"eks_cluster_name={CLUSTER}"
    )
    workspace = resolve(None, "local", root)
    written = [p for p in (workspace.local_state_path, root / "terraform.tfstate") if p.exists()]
    return result.returncode, result.stderr, [str(p) for p in written]


def _run_module_case(stage: Stage, case: Case) -> tuple[int, str, list[str]]:
    root = stage.base / "roots" / case.id
    root.mkdir(parents=True)
    body = "\n".join(f"  {name} = {value}" for name, value in case.args.items())
    (root / "main.tf").write_text(
        'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n\n'
        'provider "aws" {\n  region = "us-east-1"\n}\n\n'
        f'module "under_test" {{\n  source = "{local_source(root, MODULES / str(case.module))}"'
        f"\n\n{body}\n}}\n",
        encoding="utf-8",
    )
    env = {**stage.tf_env, "TF_DATA_DIR": str(root / ".terraform")}

    def terraform(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["terraform", *args], cwd=root, env=env, capture_output=True, text=True, timeout=600
        )

    init = terraform("init", "-input=false", "-no-color")
    assert init.returncode == 0, init.stdout + init.stderr
    plan = terraform("plan", "-input=false", "-json")
    messages = []
    for line in plan.stdout.splitlines():
        event = json.loads(line) if line.startswith("{") else {}
        diagnostic = event.get("diagnostic") or {}
        if event.get("type") == "diagnostic" and diagnostic.get("severity") == "error":
            messages.append(f"{diagnostic['summary']}: {diagnostic.get('detail', '')}")
    written = [str(p) for p in root.glob("*.tfstate")]
    return plan.returncode, "\n".join(messages) or plan.stderr, written


def _run(stage: Stage, case: Case) -> Outcome:
    if case.env is not None:
        return stage.measure(lambda: _run_env_case(stage, case))
    if case.stack is not None:
        return stage.measure(lambda: _run_stack_case(stage, case))
    return stage.measure(lambda: _run_module_case(stage, case))


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest, stage: Stage) -> dict[str, Outcome]:
    """Every selected Terraform case, run WORKERS at a time; one lane per workspace."""
    selected = {
        item.callspec.params["case"].id
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_terraform_refuses_bad_input"
        and hasattr(item, "callspec")
    }
    lanes: dict[str, list[Case]] = {}
    for case in TERRAFORM_CASES:
        if case.id in selected or not selected:  # none selected: a summary test runs them all
            lanes.setdefault(case.lane, []).append(case)
    results: dict[str, Outcome] = {}

    def run_lane(cases: list[Case]) -> None:
        for case in cases:
            results[case.id] = _run(stage, case)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        # The longest lanes first, so the short ones fill the other worker meanwhile.
        ordered = sorted(lanes.values(), key=len, reverse=True)
        for future in [pool.submit(run_lane, cases) for cases in ordered]:
            future.result()
    return results


_STATUS_LINE = re.compile(r"^Terraform is \w+ in .+\.\.\.$")


def _without_status(output: str) -> str:
    """The output after the status lines obsctl prints while Terraform initialises and plans."""
    lines = output.splitlines()
    while lines and _STATUS_LINE.match(lines[0]):
        lines.pop(0)
    return "\n".join(lines)


def _printed(output: str) -> str:
    """What obsctl prints without -v: its headline and hint (the lines before the detail)."""
    lines = []
    for line in _without_status(output).splitlines():
        if not (line.startswith("obsctl: ") or line.startswith("  hint: ")):
            break
        lines.append(line)
    return "\n".join(lines)


def _sentence(text: str, fragment: str) -> str | None:
    return next((line for line in text.splitlines() if fragment in line), None)


# ----------------------------------------------------------------------------------------------
# The tests


def test_the_stage_holds_a_deployed_stack(stage: Stage) -> None:
    inventory, _ = stage.snapshot()
    assert len(inventory.buckets) >= 7 and len(inventory.keys) == 3 and len(inventory.roles) == 4
    assert stage.dev_state.exists()


@pytest.mark.parametrize("case", TERRAFORM_CASES, ids=lambda case: case.id)
def test_terraform_refuses_bad_input(case: Case, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[case.id]
    if case.module is None:
        assert outcome.returncode == TERRAFORM_REFUSAL, outcome.output
        assert "Traceback" not in outcome.output
        printed = _printed(outcome.output)
        # The headline itself is the sentence that names the input.
        sentence = printed.splitlines()[0] if printed else ""
        assert sentence.startswith("obsctl: "), outcome.output
        assert case.says in sentence, f"{case.says!r} is not the headline:\n{outcome.output}"
        assert case.names in sentence, sentence
        assert sentence.rstrip().endswith("."), sentence
    else:
        assert outcome.returncode == 1, outcome.output
        sentence = _sentence(outcome.output, case.says)
        assert sentence is not None, f"{case.says!r} is not in:\n{outcome.output}"
        assert case.names in sentence, sentence
        summary, _, detail = sentence.partition(": ")
        assert summary == "Invalid value for variable", sentence
        assert detail.split("\n\n")[0].rstrip().endswith("."), sentence
    assert outcome.after == outcome.before, outcome.after.minus(outcome.before).describe()
    assert outcome.state == [], f"Terraform state was written: {outcome.state}"


def test_a_rejected_cluster_name_seeds_no_cluster_in_the_local_aws(
    stage: Stage, outcomes: dict[str, Outcome]
) -> None:
    case = next(case for case in TERRAFORM_CASES if case.id == "dev-eks-cluster-name")
    outcome = outcomes.get(case.id) or _run(stage, case)
    assert outcome.returncode == TERRAFORM_REFUSAL
    new = outcome.clusters_after - outcome.clusters_before
    assert not new, f"obsctl seeded {sorted(new)} in the local AWS before Terraform refused it"


@pytest.fixture(scope="module")
def files(stage: Stage) -> Path:
    folder = stage.base / "files"
    (folder / "empty").mkdir(parents=True)
    (folder / "no-contract").mkdir()
    (folder / "no-contract" / "main.tf").write_text('output "region" {\n  value = "x"\n}\n')
    gcs = write_stack_root(folder / "gcs-backend", {})
    text = (gcs / "versions.tf").read_text().replace('backend "local" {}', 'backend "gcs" {}')
    (gcs / "versions.tf").write_text(text)
    write_stack_root(folder / "valid-root", {})
    for name, text in USAGE_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("case", CLI_CASES, ids=lambda case: case.id)
def test_obsctl_refuses_bad_flags_roots_and_files(case: CliCase, stage: Stage, files: Path) -> None:
    info = stage.bench.sandbox.require()
    values = {
        "files": str(files),
        "valid_root": str(files / "valid-root"),
        "endpoint": info.endpoint_url,
    }
    args = [arg.format(**values) for arg in case.args]
    extra = {key: value.format(**values) for key, value in case.env.items()}
    targets = sorted(str(p) for p in (stage.bench.state_dir / "targets").rglob("*.tfstate"))
    digests = {path: _digest(Path(path)) for path in targets}

    outcome = stage.measure(lambda: _cli(stage, args, extra))

    assert outcome.returncode == case.code, outcome.output
    assert "Traceback" not in outcome.output
    printed = _without_status(outcome.output)
    first = printed.splitlines()[0] if printed else ""
    assert first.startswith("obsctl: "), outcome.output
    assert case.says in first and case.names in first, outcome.output
    assert first.rstrip().endswith((".", ")", "?")) or "(see `" in outcome.output, first
    assert outcome.after == outcome.before, outcome.after.minus(outcome.before).describe()
    after = sorted(str(p) for p in (stage.bench.state_dir / "targets").rglob("*.tfstate"))
    assert after == targets and {p: _digest(Path(p)) for p in after} == digests
    assert not (files / "values-out").exists()


def _cli(stage: Stage, args: list[str], extra: dict[str, str]) -> tuple[int, str, list[str]]:
    result = stage.bench.obsctl(*args, **extra)
    return result.returncode, result.stderr, []


def test_nothing_was_left_behind_by_any_case(stage: Stage, outcomes: dict[str, Outcome]) -> None:
    """After every case: the inventory every case started from, and dev still up to date."""
    inventory, _ = stage.snapshot()
    assert outcomes and all(outcome.before == inventory for outcome in outcomes.values())
    plan = stage.bench.obsctl("plan", "--env", "dev", "--json")
    assert plan.returncode == 0, plan.stderr
    assert json.loads(plan.stdout)["counts"] == {"add": 0, "change": 0, "replace": 0, "destroy": 0}
    for case in TERRAFORM_CASES:
        if case.id in outcomes:
            outcome = outcomes[case.id]
            text = outcome.output if case.module else _printed(outcome.output)
            print(f"{case.id:<45} {outcome.seconds:5.1f} s  {_sentence(text, case.says)}")
    seconds = sorted(outcome.seconds for outcome in outcomes.values())
    print(
        f"\n{len(outcomes)} Terraform cases, {WORKERS} at a time: "
        f"median {seconds[len(seconds) // 2]:.1f} s, max {seconds[-1]:.1f} s, "
        f"sum {sum(seconds):.0f} s"
    )
