"""terraform/bootstrap/state-backend applied to the local AWS, prod keeping its state in the
bucket it made (use_lockfile), and obsctl creating its local state bucket with it. (Its mock
tests run with the modules' in tests/terraform.)"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from obsctl.inventory import state_inventory
from obsctl.terraform.cliconfig import resolve_provider_source, write_cli_config
from obsctl.workspace import LOCAL_STATE_BUCKET
from tests.reliability.conftest import REPO, Workbench

BOOTSTRAP = REPO / "terraform" / "bootstrap" / "state-backend"
PROD = REPO / "terraform" / "envs" / "prod"


@pytest.fixture(scope="module")
def cli_config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """What plain Terraform needs here: the provider mirror when the registry is out of reach."""
    source = resolve_provider_source()
    assert source is not None, "neither the Terraform registry nor a hashicorp/aws mirror"
    config = write_cli_config(tmp_path_factory.mktemp("tfcli"), source)
    settings = {"CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
    return settings | ({"TF_CLI_CONFIG_FILE": str(config)} if config else {})


def terraform(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["terraform", f"-chdir={root}", *args], env=env, capture_output=True, text=True
    )


def test_prod_keeps_its_state_in_the_bucket_the_bootstrap_applied_to_the_local_aws(
    bench: Workbench, cli_config: dict[str, str], tmp_path: Path
) -> None:
    assert bench.obsctl("sandbox", "start").returncode == 0
    sandbox = bench.sandbox
    sandbox.seed_cluster("lgtm-prod")
    base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    base.update(cli_config)
    base.update(sandbox.environment())

    boot_env = base | {"TF_DATA_DIR": str(tmp_path / "boot-data")}
    boot_state = tmp_path / "bootstrap.tfstate"
    init = terraform(
        BOOTSTRAP, boot_env, "init", "-input=false", f"-backend-config=path={boot_state}"
    )
    assert init.returncode == 0, init.stdout + init.stderr
    bucket = "lgtm-tfstate-123456789012"
    # The default encryption (SSE-KMS with its own key); only the TLS policy is off, because
    # the local AWS has no TLS and ignores policy conditions.
    variables = ["-var=require_tls=false"]
    applied = terraform(BOOTSTRAP, boot_env, "apply", "-input=false", "-auto-approve", *variables)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    outputs = json.loads(terraform(BOOTSTRAP, boot_env, "output", "-json").stdout)
    key_arn = outputs["kms_key_arn"]["value"]
    assert outputs["bucket"]["value"] == bucket

    s3, kms = sandbox.client("s3"), sandbox.client("kms")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": key_arn,
    }
    assert rule["BucketKeyEnabled"] is True
    assert kms.get_key_rotation_status(KeyId=key_arn)["KeyRotationEnabled"] is True
    blocks = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(blocks.values()) and len(blocks) == 4
    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
    assert ownership["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    (lifecycle,) = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert lifecycle["Status"] == "Enabled"
    assert lifecycle["NoncurrentVersionExpiration"] == {"NoncurrentDays": 90}
    assert lifecycle["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    assert "Days" not in lifecycle.get("Expiration", {}), "current state must never expire"

    backend_file = tmp_path / "backend.hcl"
    backend_file.write_text(outputs["backend_hcl"]["value"])
    prod_env = base | {"TF_DATA_DIR": str(tmp_path / "prod-data")}
    state_key = "lgtm/prod/terraform.tfstate"
    init = terraform(
        PROD,
        prod_env,
        "init",
        "-input=false",
        f"-backend-config={backend_file}",
        f"-backend-config=key={state_key}",
    )
    assert init.returncode == 0, init.stdout + init.stderr
    cluster = "-var=eks_cluster_name=lgtm-prod"
    applied = terraform(PROD, prod_env, "apply", "-input=false", "-auto-approve", cluster)
    assert applied.returncode == 0, applied.stdout[-4000:] + applied.stderr

    head = s3.head_object(Bucket=bucket, Key=state_key)
    assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == key_arn
    listed = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert listed == [state_key], "the lock file is gone once the apply ended"
    versions = s3.list_object_versions(Bucket=bucket, Prefix=state_key)["Versions"]
    assert len(versions) >= 2, "every state write kept the previous version"

    for root, env, given in ((BOOTSTRAP, boot_env, variables), (PROD, prod_env, [cluster])):
        again = terraform(root, env, "plan", "-input=false", "-detailed-exitcode", *given)
        assert again.returncode == 0, f"{root.name} still changes:\n{again.stdout[-3000:]}"

    tracked = [
        state_inventory(json.loads(terraform(root, env, "show", "-json").stdout))
        for root, env in ((BOOTSTRAP, boot_env), (PROD, prod_env))
    ]
    live = bench.inventory()
    orphans = live.minus(tracked[0]).minus(tracked[1])
    assert orphans.empty, f"not in either state: {orphans.describe()}"
    assert bucket in tracked[0].buckets and key_arn in tracked[0].keys


def test_obsctl_creates_its_local_state_bucket_with_the_bootstrap_root_once(
    bench: Workbench,
) -> None:
    plan = bench.obsctl("plan", "--env", "prod", "--json")
    assert plan.returncode == 0, plan.stderr
    s3 = bench.sandbox.client("s3")
    (rule,) = s3.get_bucket_encryption(Bucket=LOCAL_STATE_BUCKET)[
        "ServerSideEncryptionConfiguration"
    ]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert s3.get_bucket_versioning(Bucket=LOCAL_STATE_BUCKET)["Status"] == "Enabled"
    blocks = s3.get_public_access_block(Bucket=LOCAL_STATE_BUCKET)
    assert all(blocks["PublicAccessBlockConfiguration"].values())
    (lifecycle,) = s3.get_bucket_lifecycle_configuration(Bucket=LOCAL_STATE_BUCKET)["Rules"]
    assert lifecycle["NoncurrentVersionExpiration"] == {"NoncurrentDays": 90}

    state_file = bench.state_dir / "targets" / "local" / "_state-backend" / "terraform.tfstate"
    state = json.loads(state_file.read_text())
    buckets = [
        instance["attributes"]["bucket"]
        for resource in state["resources"]
        if resource["type"] == "aws_s3_bucket"
        for instance in resource["instances"]
    ]
    assert buckets == [LOCAL_STATE_BUCKET]
    kinds = {resource["type"] for resource in state["resources"] if resource["mode"] == "managed"}
    assert "aws_kms_key" not in kinds and "aws_s3_bucket_policy" not in kinds

    written = state_file.stat().st_mtime_ns
    again = bench.obsctl("plan", "--env", "prod", "--json")
    assert again.returncode == 0, again.stderr
    assert state_file.stat().st_mtime_ns == written, "an existing bucket is not bootstrapped again"
