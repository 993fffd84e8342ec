"""docs/operations.md: every block marked "runs in CI" is typed, as written and in order, into one
reader's shell (`tests/integration/terminal.py`), against prod on the local AWS.

The shell holds nothing the guide does not set: its first block puts obsctl on PATH, brings
prod up (converging with the prod stack the other tests applied: no changes), points the AWS CLI
at the local AWS and exports PREFIX. Between two blocks the test only plays the apps' part: it
writes the rules object that the restore section brings back.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.conftest import LiveStack
from tests.integration.terminal import Terminal, reader_environment

pytestmark = pytest.mark.xdist_group("prod_stack")

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "operations.md"
RULES_KEY = "rules/anonymous/alerts.yaml"


def runnable_blocks() -> list[str]:
    blocks = re.findall(r"<!-- runs in CI -->\n```sh\n(.*?)```", DOC.read_text(), re.DOTALL)
    assert len(blocks) >= 5
    return blocks


def test_the_guide_starts_by_putting_obsctl_on_path() -> None:
    first = runnable_blocks()[0].splitlines()
    assert first[0] == "source .venv/bin/activate"
    assert any(line.startswith("export PREFIX=$(obsctl tf --env prod --") for line in first)


def test_every_ci_block_of_the_operations_guide_runs(prod_stack: LiveStack) -> None:
    s3, dynamodb = prod_stack.client("s3"), prod_stack.client("dynamodb")
    ruler = prod_stack.contract.buckets["loki"]["ruler"].name
    *blocks, restore_object = runnable_blocks()
    assert "copy-object" in restore_object
    terminal = Terminal(reader_environment())
    try:
        for block in blocks:
            terminal.run(block)
        _, prefix = terminal.type('echo "$PREFIX"')
        assert prefix.strip() == prod_stack.contract.name_prefix
        # The apps' part: the ruler wrote a rules file, then overwrote it by mistake. (The
        # emulator honours the TLS-only deny but not its condition: lift it to write objects.)
        s3.delete_bucket_policy(Bucket=ruler)
        s3.put_object(Bucket=ruler, Key=RULES_KEY, Body=b"groups: [first]")
        s3.put_object(Bucket=ruler, Key=RULES_KEY, Body=b"groups: [overwritten by mistake]")
        terminal.run(restore_object)
        assert s3.get_object(Bucket=ruler, Key=RULES_KEY)["Body"].read() == b"groups: [first]"
        table = f"{prod_stack.contract.name_prefix}-loki-index-restored"
        assert dynamodb.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE"
    finally:
        terminal.close()
        restored = f"{prod_stack.contract.name_prefix}-loki-index-restored"
        if restored in dynamodb.list_tables()["TableNames"]:
            dynamodb.delete_table(TableName=restored)
        prod_stack.session.apply(prod_stack.session.plan())  # puts the bucket policy back


def _obsctl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "obsctl", *args], capture_output=True, text=True, timeout=300
    )


def test_unlock_without_a_lock_says_so_in_plain_text(prod_stack: LiveStack) -> None:
    result = _obsctl("unlock", "--env", "prod", "1fb329eb-5e25-e524-9b5e-cefe7e499daa")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "prod on the local target is not locked: there is nothing to release.\n"
    assert "\x1b" not in result.stdout + result.stderr


def test_plan_verbose_shows_terraforms_own_plan(prod_stack: LiveStack) -> None:
    variables = ("--var", "create_loki_tables=true", "--var", "create_mimir_tables=true")
    result = _obsctl("plan", "--env", "prod", "-v", *variables)
    assert result.returncode == 0, result.stderr
    assert "No changes. Your infrastructure matches the configuration." in result.stdout
    assert result.stdout.endswith("\nNo changes.\n")
