"""The main job through the real console script: up, status, up again, a lost sandbox, down."""

from __future__ import annotations

import json
import os
import pty
import re
import shlex
import shutil
import subprocess
from pathlib import Path

OBSCTL = shutil.which("obsctl") or str(Path(__file__).resolve().parents[2] / ".venv/bin/obsctl")


def _client(service: str, env: dict[str, str]):  # type: ignore[no-untyped-def]
    import boto3

    return boto3.client(
        service,
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def _alias_target(kms, name: str) -> str:  # type: ignore[no-untyped-def]
    aliases = kms.list_aliases()["Aliases"]
    return next(a["TargetKeyId"] for a in aliases if a["AliasName"] == f"alias/{name}")


def _readme_transcript_lines() -> list[str]:
    """The lines of the README's `obsctl up` transcript that every run prints as they are (not
    the pid, port and paths, not the progress lines on stderr, not the elisions)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("```text\n$ obsctl up\n", 1)[1].split("```", 1)[0]
    varying = (
        "Started the local AWS at ",  # its port and pid
        "Terraform ",  # status lines and the warnings' count, on stderr
        "Helm values for the four charts: ",
        "  [",
    )
    return [
        line
        for line in block.splitlines()
        if line.strip() not in ("", "...") and not line.startswith(varying)
    ]


def _obsctl(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OBSCTL_STATE_DIR": str(state)}
    return subprocess.run([OBSCTL, *args], capture_output=True, text=True, env=env, timeout=600)


def _obsctl_at_a_terminal(state: Path, typed: str, *args: str) -> subprocess.CompletedProcess[str]:
    """obsctl with a terminal on stdin (so it may ask) and `typed` as the answer."""
    env = {**os.environ, "OBSCTL_STATE_DIR": str(state)}
    terminal, answer = pty.openpty()
    try:
        os.write(terminal, f"{typed}\n".encode())
        return subprocess.run(
            [OBSCTL, *args], stdin=answer, capture_output=True, text=True, env=env, timeout=600
        )
    finally:
        os.close(terminal)
        os.close(answer)


def _next_steps(stdout: str) -> list[list[str]]:
    """The commands `obsctl up` prints under "Next:", as argument lists."""
    block = stdout.split("\nNext:\n", 1)[1]
    commands = [line.strip().split("    ")[0] for line in block.splitlines()]
    return [shlex.split(command) for command in commands if command.startswith("obsctl ")]


def test_up_status_up_restart_down_on_the_local_aws(tmp_path: Path) -> None:
    first = _obsctl(tmp_path, "up")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Started the local AWS at http://127.0.0.1:")
    assert "Terraform warned 6 times: Argument is deprecated (6)." in first.stderr
    assert "Buckets (SSE-KMS, versioned, private, TLS-only):" in first.stdout
    assert "lgtm-dev-123456789012-tempo-traces" in first.stdout
    assert "obsctl verify --env dev" in first.stdout
    printed = first.stdout.splitlines()
    stale = [line for line in _readme_transcript_lines() if line not in printed]
    assert not stale, f"README.md's transcript no longer matches `obsctl up`: {stale}"
    applied = re.findall(r"\[(\d+)/(\d+)\]", first.stderr)
    assert applied and applied[-1][0] == applied[-1][1]
    resources = int(applied[-1][1])

    # Every command `up` prints under "Next:" runs as printed; `down` runs last, below.
    next_steps = _next_steps(first.stdout)
    assert [command[1] for command in next_steps] == ["verify", "values", "cost", "down"]
    for command in next_steps[:-1]:
        result = _obsctl(tmp_path, *command[1:])
        assert result.returncode == 0, f"{shlex.join(command)}:\n{result.stdout}\n{result.stderr}"
    assert (tmp_path / "values" / "dev" / "tempo-values.yaml").is_file()

    status = _obsctl(tmp_path, "status", "--json")
    rows = {(row["env"], row["target"]): row for row in json.loads(status.stdout)}
    assert rows[("dev", "local")]["resources"] == resources
    assert rows[("prod", "local")]["resources"] == 0

    again = _obsctl(tmp_path, "up")
    assert again.returncode == 0, again.stderr
    assert "No changes: dev on the local target is up to date." in again.stdout
    assert "Security baseline PASSED" in again.stdout

    # A key scheduled for deletion stops `up` before it could replace the key.
    env = json.loads(_obsctl(tmp_path, "sandbox", "env", "--json").stdout)
    kms = _client("kms", env)
    loki_key = _alias_target(kms, "lgtm-dev-123456789012-loki")
    kms.schedule_key_deletion(KeyId=loki_key, PendingWindowInDays=7)
    refused = _obsctl(tmp_path, "up")
    assert refused.returncode == 1
    assert "is scheduled for deletion" in refused.stderr and "cancel-key-deletion" in refused.stderr
    kms.cancel_key_deletion(KeyId=loki_key)
    kms.enable_key(KeyId=loki_key)

    assert _obsctl(tmp_path, "sandbox", "stop", "--force").returncode == 0
    assert _obsctl(tmp_path, "sandbox", "start").returncode == 0
    recreated = _obsctl(tmp_path, "up")
    assert recreated.returncode == 0, recreated.stderr
    assert "The local AWS was restarted since the last apply" in recreated.stdout
    assert f"Plan: {resources} to add, 0 to change, 0 to replace, 0 to destroy." in recreated.stdout

    down = _obsctl_at_a_terminal(tmp_path, "dev", *next_steps[-1][1:])  # it asks for the name
    assert down.returncode == 0, down.stderr
    assert "dev on the local target is gone." in down.stdout
    assert "The local AWS stopped" in down.stdout
    assert _obsctl(tmp_path, "sandbox", "status").returncode == 1


def test_down_prod_refuses_without_force_and_comes_down_with_it(tmp_path: Path) -> None:
    """prod on the local AWS, with a legacy table (deletion protection on) and the access logs
    the local AWS wrote by itself, comes down with --force."""
    up = _obsctl(tmp_path, "up", "--env", "prod", "--var", "create_loki_tables=true", "--json")
    assert up.returncode == 0, up.stderr
    outputs = json.loads(up.stdout)["outputs"]
    buckets = [
        b["name"] for stores in outputs["buckets"]["value"].values() for b in stores.values()
    ]
    resources = json.loads(up.stdout)["changes"]["counts"]["add"]

    refused = _obsctl(tmp_path, "down", "--env", "prod", "--yes")
    assert refused.returncode == 2
    assert "Refusing to destroy prod without --force." in refused.stderr

    listing = _obsctl(tmp_path, "status", "--json")
    rows = {(row["env"], row["target"]): row for row in json.loads(listing.stdout)}
    assert rows[("prod", "local")]["resources"] == resources
    env = json.loads(_obsctl(tmp_path, "sandbox", "env", "--json").stdout)
    s3 = _client("s3", env)
    live = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert set(buckets) <= live
    # The local AWS wrote server access logs of every request into the log bucket by itself.
    log_bucket = outputs["settings"]["value"]["access_log_bucket"]
    assert s3.list_objects_v2(Bucket=log_bucket).get("KeyCount", 0) > 0

    try:
        down = _obsctl(
            tmp_path,
            "down",
            "--env",
            "prod",
            "--force",
            "--yes",
            "--json",
            "--var",
            "create_loki_tables=true",
        )
        assert down.returncode == 0, down.stderr
        assert json.loads(down.stdout) == {
            "env": "prod",
            "target": "local",
            "destroyed": resources,
            "sandbox_stopped": True,
        }
        assert f"Emptied {log_bucket}" in down.stderr
        table = outputs["dynamodb_tables"]["value"]["loki"][0]["name"]
        assert f"Lifted the deletion protection of {table} (local AWS)." in down.stderr
    finally:
        _obsctl(tmp_path, "sandbox", "stop", "--force")


def test_cost_plans_the_env_itself_on_the_local_aws(tmp_path: Path) -> None:
    priced = _obsctl(tmp_path, "cost", "--env", "dev", "--format", "json", "--compare")
    assert priced.returncode == 0, priced.stderr
    # stdout is the report alone: how the plan was had, the start included, goes to stderr
    assert "\nobsctl: Started the local AWS at http://127.0.0.1:" in priced.stderr, "it says so"
    report = json.loads(priced.stdout)
    assert report["total_usd"] > 0
    assert report["compare"]["naive_total_usd"] > report["total_usd"]
    assert {line["app"] for line in report["lines"]} >= {"mimir", "loki", "tempo"}
    _obsctl(tmp_path, "sandbox", "stop", "--force")
