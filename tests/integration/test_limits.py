"""AWS's limits at their boundaries, on the local AWS (which refuses what AWS refuses).

One root calls modules/stack with every input the limits reach at its largest: the longest name
prefix, 45 tags (50 on each bucket, with the stack's 5), a trust policy of exactly 2,048
characters and key policies of exactly 32,768 bytes, tables, alerts, the audit trail and access
logs. It applies once. The same root with one more of each (and a provider default tag, and an
ACL on a bucket whose owner is enforced) is refused by `obsctl up` before anything is created:
the local AWS's inventory is the same before and after. The trust policy's one more character is
refused on its own, by the iam module's precondition at plan time (it protects plain Terraform
runs too, and stops the plan before obsctl could read it). A name the dev env creates, taken before
`obsctl up`, is refused before any key is created.

The sizes of the trust and key policies depend on the cluster's OIDC issuer, so one plan of the
root (no apply) measures them first, and the inputs are padded to the exact limit.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from obsctl.inventory import Inventory
from obsctl.model import TerraformJSON
from tests.reliability.conftest import Workbench

pytestmark = pytest.mark.xdist_group("integration_limits")

REPO = Path(__file__).resolve().parents[2]
DEV = REPO / "terraform" / "envs" / "dev"
CLUSTER = "lgtm-limits"
ACCOUNT = "123456789012"
PREFIX = "lgtm-limits-" + "x" * 32  # 44 characters: <prefix>-mimir-alertmanager is 63
TRUST_LIMIT, KEY_POLICY_LIMIT = 2048, 32768
# A service account name adds itself and "system:serviceaccount:loki:" in quotes to the trust
# policy; an administrator ARN adds itself in quotes to every telemetry key's policy.
SUBJECT_OVERHEAD, ARN_OVERHEAD = len('"system:serviceaccount:loki:",'), len('"",')
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/kms-admins/"


def fill(deficit: int, overhead: int, shortest: int, longest: int) -> list[int]:
    """Lengths of as few items as can hold `deficit` (each item costs `overhead` plus its
    length), as even as can be: one more character of deficit lengthens one item by one."""
    count = -(-deficit // (overhead + longest))
    base, extra = divmod(deficit - count * overhead, count)
    lengths = [base + (1 if i < extra else 0) for i in range(count)]
    assert all(shortest <= length <= longest for length in lengths), (deficit, lengths)
    return lengths


@dataclass
class Inputs:
    """What the boundary root gives the stack: the padding lists, and the extras of one more."""

    service_accounts: list[str] = field(default_factory=lambda: ["loki"])
    administrators: list[str] = field(default_factory=lambda: [ADMIN + "first"])
    default_tags: dict[str, str] = field(default_factory=dict)
    extra: str = ""


def tags() -> dict[str, str]:
    """45 tags, the longest key and value AWS takes among them, and every allowed character."""
    found = {f"team-{i}": "x" for i in range(43)}
    found["k" * 128] = "v" * 256
    found["Équipe _.:/=+-"] = "coût: 1/2 + 3 = 4"  # DynamoDB (tables on) documents no @
    return found


def write_root(folder: Path, inputs: Inputs) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEV / "outputs.tf", folder / "outputs.tf")
    default_tags = (
        f"\n  default_tags {{\n    tags = {json.dumps(inputs.default_tags)}\n  }}"
        if inputs.default_tags
        else ""
    )
    (folder / "versions.tf").write_text(
        'terraform {\n  required_version = ">= 1.10"\n  required_providers {\n'
        '    aws = { source = "hashicorp/aws", version = ">= 5.80, < 7.0" }\n  }\n'
        '  backend "local" {}\n}\n\n'
        f'provider "aws" {{\n  region = var.region{default_tags}\n}}\n',
        encoding="utf-8",
    )
    (folder / "variables.tf").write_text(
        'variable "region" {\n  type    = string\n  default = "us-east-1"\n}\n\n'
        'variable "eks_cluster_name" {\n  type = string\n}\n\n'
        f'variable "tags" {{\n  type    = map(string)\n'
        f"  default = {json.dumps(tags(), ensure_ascii=False)}\n}}\n",
        encoding="utf-8",
    )
    source = os.path.relpath(REPO / "terraform" / "modules" / "stack", folder)
    settings = {
        "environment": '"dev"',
        "name_prefix": json.dumps(PREFIX),
        "eks_cluster_name": "var.eks_cluster_name",
        "force_destroy": "true",
        "loki_admin_bucket": "true",
        "create_loki_tables": "true",
        "create_mimir_tables": "true",
        "dynamodb": "{ deletion_protection = false }",
        "access_logging": "{ enabled = true }",
        "alerts": '{ enabled = true, email_addresses = ["oncall@example.com"] }',
        "audit_trail": "{ enabled = true }",
        # Standard-IA at the 30 days S3 requires; Glacier Instant Retrieval after it, since
        # verify fails a class Mimir cannot read without a restore (s3.readable-storage-class).
        "storage_transitions": '{ mimir = [{ days = 30, storage_class = "STANDARD_IA" }, '
        '{ days = 60, storage_class = "GLACIER_IR" }] }',
        "noncurrent_version_expiration_days": "1",
        "iam": "{ max_session_duration = 43200 }",
        "kms": "{ deletion_window_in_days = 7, rotation_period_in_days = 2560, "
        f"administrator_arns = {json.dumps(inputs.administrators)} }}",
        "workloads": f"{{ loki = {{ service_accounts = {json.dumps(inputs.service_accounts)} }} }}",
        "tags": "var.tags",
    }
    body = "\n".join(f"  {name} = {value}" for name, value in settings.items())
    (folder / "main.tf").write_text(
        f'module "stack" {{\n  source = "{source}"\n'
        # One region: the stack's replica provider (for optional replication) is the default one.
        "  providers = { aws = aws, aws.replica = aws }\n\n"
        f"{body}\n}}\n{inputs.extra}",
        encoding="utf-8",
    )
    return folder


def policy_sizes(plan: dict) -> tuple[int, int]:
    """(the loki role's trust policy, a telemetry key's policy), as AWS counts them."""
    document = TerraformJSON(plan)
    role = document.find("aws_iam_role", "name", f"{PREFIX}-loki")
    assert role is not None
    trust = "".join(str(role.values["assume_role_policy"]).split())
    policies = [
        res for res in document.of_type("aws_kms_key_policy") if "operations" not in res.address
    ]
    sizes = {len(str(res.values["policy"]).encode()) for res in policies}
    assert len(sizes) == 1, sizes  # the three telemetry keys share one policy
    return len(trust), sizes.pop()


def padded(trust: int, key_policy: int, more_trust: int = 0, more_key: int = 0) -> Inputs:
    """Inputs whose trust and key policies are the limits exactly (`more_*`: that many more)."""
    subjects = fill(TRUST_LIMIT + more_trust - trust, SUBJECT_OVERHEAD, 5, 253)
    arns = fill(KEY_POLICY_LIMIT + more_key - key_policy, ARN_OVERHEAD, len(ADMIN) + 4, 128)
    return Inputs(
        service_accounts=["loki", *(f"s{i}".ljust(n, "x") for i, n in enumerate(subjects))],
        administrators=[
            ADMIN + "first",
            *(f"{ADMIN}{i}".ljust(n, "x") for i, n in enumerate(arns)),
        ],
    )


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    before: Inventory
    after: Inventory
    seconds: float


@dataclass
class Stage:
    bench: Workbench
    base: Path
    seconds: dict[str, float] = field(default_factory=dict)

    def up(self, *args: str) -> Run:
        before = self.bench.inventory()
        started = time.monotonic()
        result = self.bench.obsctl("-v", "up", *args)
        seconds = time.monotonic() - started
        return Run(result.returncode, result.stdout, result.stderr, before,
                   self.bench.inventory(), seconds)  # fmt: skip


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stage]:
    base = tmp_path_factory.mktemp("limits")
    bench = Workbench(base / "obsctl")
    bench.state_dir.mkdir()
    previous = os.environ.get("OBSCTL_STATE_DIR")
    os.environ["OBSCTL_STATE_DIR"] = str(bench.state_dir)
    try:
        assert bench.obsctl("sandbox", "start").returncode == 0
        yield Stage(bench, base)
    finally:
        bench.sandbox.stop()
        if previous is None:
            os.environ.pop("OBSCTL_STATE_DIR", None)
        else:
            os.environ["OBSCTL_STATE_DIR"] = previous


@pytest.fixture(scope="module")
def measured(stage: Stage) -> tuple[int, int]:
    """One plan of the boundary root (nothing applied): the policy sizes before padding."""
    from obsctl.workspace.session import open_session

    started = time.monotonic()
    root = write_root(stage.base / "largest", Inputs())
    session = open_session(None, "local", root, variables=[f"eks_cluster_name={CLUSTER}"])
    session.init()
    sizes = policy_sizes(session.plan_json(session.plan()))
    session.close()
    stage.seconds["measuring plan"] = time.monotonic() - started
    return sizes


@pytest.fixture(scope="module")
def one_more(stage: Stage, measured: tuple[int, int]) -> Run:
    inputs = padded(*measured, more_key=1)
    inputs.default_tags = {"cost-center": "observability"}
    inputs.extra = (
        '\nresource "aws_s3_bucket_acl" "chunks" {\n'
        "  bucket = module.stack.buckets.loki.chunks.name\n"
        '  acl    = "private"\n}\n'
    )
    root = write_root(stage.base / "one-more", inputs)
    run = stage.up("--dir", str(root), "--var", f"eks_cluster_name={CLUSTER}")
    stage.seconds["one more: up refused"] = run.seconds
    return run


@pytest.fixture(scope="module")
def one_more_trust(stage: Stage, measured: tuple[int, int]) -> Run:
    root = write_root(stage.base / "one-more-trust", padded(*measured, more_trust=1))
    run = stage.up("--dir", str(root), "--var", f"eks_cluster_name={CLUSTER}")
    stage.seconds["one more trust: refused"] = run.seconds
    return run


@pytest.fixture(scope="module")
def largest(stage: Stage, measured: tuple[int, int], one_more: Run, one_more_trust: Run) -> Run:
    root = write_root(stage.base / "largest", padded(*measured))
    run = stage.up("--dir", str(root), "--var", f"eks_cluster_name={CLUSTER}")
    stage.seconds["largest: up applied"] = run.seconds
    return run


def test_one_more_of_each_is_refused_before_anything_is_created(one_more: Run) -> None:
    assert one_more.returncode == 2, one_more.stderr
    assert "Traceback" not in one_more.stderr
    # Terraform's status lines come first; obsctl's sentence starts the refusal.
    message = one_more.stderr[one_more.stderr.index("obsctl: ") :].split("\n  hint: ")[0]
    assert message.startswith("obsctl: AWS would refuse 3 things in this plan:"), message
    sentences = message.splitlines()[1:]
    expected = [
        " and 6 more buckets would carry 51 tags (45 from the input tags, 6 added by the stack "
        "or the provider's default_tags), and S3 allows at most 50 per bucket: give at most 44 "
        "in the input tags.",
        " and 2 more keys would be 32,769 bytes, and KMS allows 32,768",
        "whose object ownership is BucketOwnerEnforced (the default), and S3 answers "
        "AccessControlListNotSupported",
    ]
    for fragment in expected:
        assert any(fragment in sentence for sentence in sentences), (fragment, sentences)
    assert "Nothing was created." in one_more.stderr
    assert one_more.after == one_more.before, one_more.after.minus(one_more.before).describe()


def test_one_more_trust_character_is_refused_at_plan_time(one_more_trust: Run) -> None:
    assert one_more_trust.returncode == 2, one_more_trust.stderr
    assert "Traceback" not in one_more_trust.stderr
    message = one_more_trust.stderr[one_more_trust.stderr.index("obsctl: ") :]
    headline = message.split("\n  hint: ")[0]
    assert headline.startswith(
        f"obsctl: Role {PREFIX}-loki would trust 1 cluster(s) in a policy of 2049 characters"
    ), headline
    assert "over IAM's limit of 2048" in headline
    assert one_more_trust.after == one_more_trust.before


def test_the_largest_inputs_apply_on_the_local_aws(stage: Stage, largest: Run) -> None:
    failed = [line for line in largest.stdout.splitlines() if line.strip().startswith("FAIL")]
    assert largest.returncode == 0, "\n".join(failed) or largest.stderr[-2000:]
    assert "Security baseline PASSED" in largest.stdout, largest.stdout
    created = largest.after.minus(largest.before)
    assert len(created.buckets) == 9 and len(created.tables) == 2 and len(created.roles) == 4
    assert len(created.topics) == 1 and len(created.trails) == 1 and len(created.alarms) >= 3


def test_every_bucket_carries_the_50_tags_s3_allows(stage: Stage, largest: Run) -> None:
    s3 = stage.bench.sandbox.client("s3")
    names = [name for name in largest.after.buckets if name.startswith(PREFIX)]
    counts = {name: len(s3.get_bucket_tagging(Bucket=name)["TagSet"]) for name in names}
    assert counts[f"{PREFIX}-mimir-blocks"] == 50 and max(counts.values()) == 50, counts
    assert max(len(name) for name in names) == 63


def test_the_trust_and_key_policies_are_at_their_limits(stage: Stage, largest: Run) -> None:
    iam, kms = stage.bench.sandbox.client("iam"), stage.bench.sandbox.client("kms")
    trust = iam.get_role(RoleName=f"{PREFIX}-loki")["Role"]["AssumeRolePolicyDocument"]
    assert len(json.dumps(trust, separators=(",", ":"), ensure_ascii=False)) == TRUST_LIMIT
    key = kms.describe_key(KeyId=f"alias/{PREFIX}-loki")["KeyMetadata"]["KeyId"]
    policy = kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"]
    assert len(policy.encode()) == KEY_POLICY_LIMIT
    inline = {
        app: sum(
            len("".join(json.dumps(policy["PolicyDocument"]).split()))
            for name in iam.list_role_policies(RoleName=f"{PREFIX}-{app}")["PolicyNames"]
            for policy in [iam.get_role_policy(RoleName=f"{PREFIX}-{app}", PolicyName=name)]
        )
        for app in ("mimir", "loki", "tempo", "grafana")
    }
    assert 0 < max(inline.values()) <= 10240, inline
    print(f"inline policies per role, characters without white space: {inline} (IAM: 10,240)")


def test_a_name_taken_outside_the_stack_is_refused_before_any_key(stage: Stage) -> None:
    s3, iam = stage.bench.sandbox.client("s3"), stage.bench.sandbox.client("iam")
    bucket, role = f"lgtm-dev-{ACCOUNT}-loki-chunks", f"lgtm-dev-{ACCOUNT}-mimir"
    s3.create_bucket(Bucket=bucket)
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps({"Statement": []}))
    run = stage.up("--env", "dev")
    stage.seconds["collision: up refused"] = run.seconds
    assert run.returncode == 2, run.stderr
    message = run.stderr.split("\n  hint: ")[0]
    assert f'The bucket "{bucket}"' in message and f'The role "{role}"' in message
    assert "already exists outside this stack's state" in message
    assert run.after == run.before, run.after.minus(run.before).describe()


def test_the_added_time(stage: Stage) -> None:
    assert stage.seconds, "the boundary runs above recorded their time"
    for what, seconds in stage.seconds.items():
        print(f"{what:<28} {seconds:6.1f} s")
