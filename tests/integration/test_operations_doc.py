"""docs/operations.md: every block marked "runs in CI" runs against prod on the local AWS."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.integration.conftest import LiveStack

pytestmark = pytest.mark.xdist_group("prod_stack")

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "operations.md"
RULES_KEY = "rules/anonymous/alerts.yaml"


def runnable_blocks() -> list[str]:
    blocks = re.findall(r"<!-- runs in CI -->\n```sh\n(.*?)```", DOC.read_text(), re.DOTALL)
    assert len(blocks) >= 4
    return blocks


def _run_block(stack: LiveStack, block: str) -> subprocess.CompletedProcess[str]:
    env = stack.sandbox.apply_environment(dict(os.environ))
    env["PREFIX"] = stack.contract.name_prefix
    # prod_stack was applied with both legacy table flags on: the same settings a reader
    # would keep in terraform.tfvars.
    env["TF_VAR_create_loki_tables"] = env["TF_VAR_create_mimir_tables"] = "true"
    env["PATH"] = f"{REPO / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def test_every_ci_block_of_the_operations_guide_runs(prod_stack: LiveStack) -> None:
    s3, dynamodb = prod_stack.client("s3"), prod_stack.client("dynamodb")
    ruler = prod_stack.contract.buckets["loki"]["ruler"].name
    *blocks, restore_object = runnable_blocks()
    assert "copy-object" in restore_object
    try:
        for block in blocks:
            result = _run_block(prod_stack, block)
            assert result.returncode == 0, f"{block}\n---\n{result.stdout}\n{result.stderr}"
        # The emulator honours the TLS-only deny but not its condition: lift it to write objects.
        s3.delete_bucket_policy(Bucket=ruler)
        s3.put_object(Bucket=ruler, Key=RULES_KEY, Body=b"groups: [first]")
        s3.put_object(Bucket=ruler, Key=RULES_KEY, Body=b"groups: [overwritten by mistake]")
        result = _run_block(prod_stack, restore_object)
        assert result.returncode == 0, f"{restore_object}\n---\n{result.stdout}\n{result.stderr}"
        assert s3.get_object(Bucket=ruler, Key=RULES_KEY)["Body"].read() == b"groups: [first]"
        table = f"{prod_stack.contract.name_prefix}-loki-index-restored"
        assert dynamodb.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE"
    finally:
        restored = f"{prod_stack.contract.name_prefix}-loki-index-restored"
        if restored in dynamodb.list_tables()["TableNames"]:
            dynamodb.delete_table(TableName=restored)
        prod_stack.session.apply(prod_stack.session.plan())  # puts the bucket policy back
