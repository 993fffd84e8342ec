"""Faults during an apply: the next `obsctl up` always converges and nothing is orphaned.

Every case interrupts a real apply of the console script on its own local AWS: a Ctrl-C (SIGINT
to obsctl) after one resource and at about 25, 50 and 90 % of them, Terraform SIGKILLed (dev with
its local state, prod with its S3 state and lock file), and the local AWS stopped mid-apply. After
each recovery a second plan shows no changes and the inventory of the local AWS equals the
Terraform state (`assert_converged`, which test_teams.py reuses).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

from obsctl.inventory import Inventory, state_inventory
from obsctl.workspace import LOCAL_STATE_BUCKET, resolve
from obsctl.workspace.journal import ApplyRecord
from obsctl.workspace.session import open_session
from tests.reliability.conftest import Workbench

_PROGRESS = re.compile(r"\[(\d+)/(\d+)\]")
# Roots whose state lives in the local AWS's state bucket, the one thing there that is not
# the stack's (besides the seeded EKS cluster and OIDC provider, which are not tracked kinds).
S3_BACKED = {"prod"}


# -- shared checks -------------------------------------------------------------------------------


def state_json(env: str) -> dict:
    """`terraform show -json` of the env's state on the local target (of the current bench)."""
    session = open_session(env, "local")
    session.connect()
    return session.state()


def assert_sandbox_matches_state(bench: Workbench, env: str) -> None:
    """Everything of the tracked kinds in the local AWS is in the state, and the reverse."""
    tracked = state_inventory(state_json(env))
    live = bench.inventory()
    allowed = (
        Inventory(buckets=frozenset({LOCAL_STATE_BUCKET})) if env in S3_BACKED else Inventory()
    )
    if env in S3_BACKED:
        assert LOCAL_STATE_BUCKET in live.buckets, "the S3-backed state bucket is missing"
    orphans = live.minus(tracked).minus(allowed)
    missing = tracked.minus(live)
    assert orphans.empty, f"in the local AWS but not in the state: {orphans.describe()}"
    assert missing.empty, f"in the state but not in the local AWS: {missing.describe()}"
    assert sum(tracked.counts().values()) > 0


def assert_no_changes(bench: Workbench, env: str) -> None:
    plan = bench.obsctl("plan", "--env", env, "--json")
    assert plan.returncode == 0, plan.stderr
    counts = json.loads(plan.stdout)["counts"]
    assert not any(counts.values()), f"a second plan still changes something: {counts}"


def assert_converged(bench: Workbench, env: str) -> None:
    assert_no_changes(bench, env)
    assert_sandbox_matches_state(bench, env)


# -- driving an apply ----------------------------------------------------------------------------


@dataclass
class Watched:
    """`obsctl up` running in the background, its progress read from the "[n/N]" lines."""

    process: subprocess.Popen[str]
    started: float = field(default_factory=time.monotonic)
    applied: int = 0
    total: int = 0
    stderr: list[str] = field(default_factory=list)
    stdout: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    @classmethod
    def start(cls, bench: Workbench, *args: str) -> Watched:
        watched = cls(bench.start("up", *args))
        threading.Thread(target=watched._read_stderr, daemon=True).start()
        threading.Thread(target=watched._read_stdout, daemon=True).start()
        return watched

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self.changed:
                self.stderr.append(line)
                if match := _PROGRESS.search(line):
                    self.applied, self.total = int(match[1]), int(match[2])
                self.changed.notify_all()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.stdout.append(line)

    def wait_until_applied(self, fraction: float = 0.0, at_least: int = 1) -> int:
        """Block until `fraction` of the planned resources (and `at_least` of them) completed."""
        deadline = time.monotonic() + 600
        with self.changed:
            while True:
                target = max(at_least, round(self.total * fraction)) if self.total else None
                if target is not None and self.applied >= target:
                    return self.applied
                if self.process.poll() is not None:
                    pytest.fail(f"obsctl ended before the apply got there:\n{''.join(self.stderr)}")
                assert time.monotonic() < deadline, "the apply did not progress"
                self.changed.wait(0.5)

    def finish(self) -> tuple[int, str, str]:
        returncode = self.process.wait(timeout=600)
        time.sleep(0.1)  # let the readers drain the pipes
        return returncode, "".join(self.stdout), "".join(self.stderr)


def terraform_child(obsctl_pid: int) -> int:
    """The pid of the Terraform process obsctl is running."""
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            parent = int(entry.joinpath("stat").read_text().rpartition(")")[2].split()[1])
            argv0 = entry.joinpath("cmdline").read_bytes().split(b"\0")[0]
        except (OSError, ValueError, IndexError):
            continue
        if parent == obsctl_pid and Path(argv0.decode()).name == "terraform":
            return int(entry.name)
    raise AssertionError(f"obsctl (pid {obsctl_pid}) runs no terraform process")


def raw_state(bench: Workbench, env: str) -> dict:
    """The state as last written, read without Terraform (local file or the sandbox's bucket)."""
    work_dir = bench.state_dir / "targets" / "local" / env
    if env in S3_BACKED:
        body = bench.sandbox.client("s3").get_object(
            Bucket=LOCAL_STATE_BUCKET, Key=f"{env}/terraform.tfstate"
        )["Body"]
        return json.loads(body.read())
    # A SIGKILL can cut Terraform's in-place rewrite of a local state (empty, or cut mid-write):
    # what it tracked is then its backup of the state before that run, as `up` restores it
    # (recovery.reconcile.repair_local_state), or nothing when there is no backup.
    for name in ("terraform.tfstate", "terraform.tfstate.backup"):
        try:
            return json.loads((work_dir / name).read_text() or "{}")
        except (OSError, ValueError):
            continue
    return {}


def figure(name: str, value: object) -> None:
    """A measurement for tests/reliability/README.md (`pytest -rP` shows them)."""
    print(f"figure {name} = {value}")


def recovery_sentence(stdout: str) -> str:
    """The one sentence obsctl prints about the last, unfinished apply."""
    lines = [line for line in stdout.splitlines() if line.startswith("The last apply of ")]
    assert len(lines) == 1, stdout
    figure("recovery", lines[0])
    return lines[0]


def one_error(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("obsctl:")]


# -- Ctrl-C --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fraction", "at_least"),
    [(0.0, 1), (0.25, 1), (0.5, 1), (0.9, 1)],
    ids=["after_1_resource", "at_25_percent", "at_50_percent", "at_90_percent"],
)
def test_ctrl_c_during_apply_then_up_converges_without_orphans(
    bench: Workbench, fraction: float, at_least: int
) -> None:
    watched = Watched.start(bench)
    applied = watched.wait_until_applied(fraction, at_least)
    watched.process.send_signal(signal.SIGINT)
    returncode, _, stderr = watched.finish()
    assert returncode == 130, stderr
    assert one_error(stderr) == ["obsctl: terraform apply was interrupted and stopped cleanly."]
    journal = bench.state_dir / "targets" / "local" / "dev" / "apply-in-progress.json"
    assert json.loads(journal.read_text())["outcome"] == "interrupted"
    # Even a clean stop cancels creates in flight, and some leave their resource outside the
    # state: the reason the journal outlives an interrupt.
    left = bench.inventory().minus(state_inventory(raw_state(bench, "dev")))
    figure("outside_state_after_ctrl_c", left.counts())

    started = time.monotonic()
    again = bench.obsctl("up")
    assert again.returncode == 0, again.stderr
    assert recovery_sentence(again.stdout).startswith(
        "The last apply of dev on the local target was interrupted"
    )
    assert not journal.exists()
    figure("interrupted_at", f"{applied}/{watched.total}")
    figure("recovery_up_seconds", round(time.monotonic() - started, 1))
    assert_converged(bench, "dev")


# -- SIGKILL -------------------------------------------------------------------------------------


def test_terraform_killed_mid_apply_leaves_orphans_that_the_next_up_removes(
    bench: Workbench,
) -> None:
    watched = Watched.start(bench)
    watched.wait_until_applied(at_least=5)  # KMS keys (about 9 s each) are still being created
    os.kill(terraform_child(watched.process.pid), signal.SIGKILL)
    returncode, _, stderr = watched.finish()
    assert returncode == 1, stderr
    assert one_error(stderr) == ["obsctl: terraform apply was killed (SIGKILL) before it finished."]

    orphans = bench.inventory().minus(state_inventory(raw_state(bench, "dev")))
    assert orphans.keys, f"the kill should have orphaned the keys in flight: {orphans.describe()}"

    again = bench.obsctl("up")
    assert again.returncode == 0, again.stderr
    sentence = recovery_sentence(again.stdout)
    assert "was killed" in sentence and "KMS keys (scheduled for deletion)" in sentence
    for key_arn in orphans.keys:
        assert key_arn.rpartition("/")[2] in sentence
    kms = bench.sandbox.client("kms")
    for key_arn in orphans.keys:
        assert kms.describe_key(KeyId=key_arn)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    figure("orphans_after_kill", orphans.describe())
    assert_converged(bench, "dev")


@pytest.mark.parametrize(
    ("backup", "cut", "sentence"),
    [
        (True, 32768, "put back the state Terraform had backed up"),
        (False, 32768, "set aside the state the kill cut mid-write"),
        (False, 0, "set aside the state the kill cut mid-write"),
    ],
    ids=["a_later_apply_with_a_backup", "the_first_apply_without_one", "emptied_without_one"],
)
def test_a_local_state_a_kill_cut_mid_write_is_repaired_before_init_and_up_converges(
    bench: Workbench, backup: bool, cut: int, sentence: str
) -> None:
    """What a SIGKILL that lands while Terraform rewrites a local state leaves: the file cut at
    a write boundary, beside the backup Terraform made of the state before that run (none when
    the run began from nothing). The case above reaches it only by timing (the clean-clone CI
    run of 2026-12-02 did, and `terraform init` refused the cut state); here the cut is made,
    so every run plays it. Without a backup, what the cut state tracked is that run's leftovers:
    removed, then applied again."""
    first = bench.obsctl("up")
    assert first.returncode == 0, first.stderr
    work_dir = bench.state_dir / "targets" / "local" / "dev"
    state = work_dir / "terraform.tfstate"
    whole = state.read_bytes()
    assert len(whole) > 32768
    assert not state.with_name("terraform.tfstate.backup").exists(), "a first apply makes none"
    if backup:
        state.with_name("terraform.tfstate.backup").write_bytes(whole)  # before a later run
    state.write_bytes(whole[:cut])
    dead = subprocess.Popen(["true"])
    dead.wait()
    root = str(resolve("dev", "local", None).root)
    killed = ApplyRecord(dead.pid, None, time.time(), "dev", "local", root, outcome="killed")
    journal = work_dir / "apply-in-progress.json"
    journal.write_text(json.dumps(asdict(killed)))

    again = bench.obsctl("up")
    assert again.returncode == 0, again.stderr
    assert sentence in recovery_sentence(again.stdout)
    assert state.with_name("terraform.tfstate.cut-short").read_bytes() == whole[:cut]
    assert not journal.exists()
    assert_converged(bench, "dev")


def test_terraform_killed_during_a_prod_apply_leaves_a_stale_s3_lock_that_up_releases(
    bench: Workbench,
) -> None:
    watched = Watched.start(bench, "--env", "prod")
    watched.wait_until_applied(0.25)
    os.kill(terraform_child(watched.process.pid), signal.SIGKILL)
    returncode, _, stderr = watched.finish()
    assert returncode == 1, stderr
    s3 = bench.sandbox.client("s3")
    lock = json.loads(
        s3.get_object(Bucket=LOCAL_STATE_BUCKET, Key="prod/terraform.tfstate.tflock")["Body"].read()
    )
    assert lock["Operation"] == "OperationTypeApply"

    again = bench.obsctl("up", "--env", "prod")
    assert again.returncode == 0, again.stderr
    sentence = recovery_sentence(again.stdout)
    assert f"released the state lock it left behind (lock ID {lock['ID']})" in sentence
    listed = s3.list_objects_v2(Bucket=LOCAL_STATE_BUCKET).get("Contents", [])
    assert [item["Key"] for item in listed] == ["prod/terraform.tfstate"]
    figure("stale_lock", lock["ID"])
    assert_converged(bench, "prod")


def test_obsctl_itself_killed_mid_apply_then_up_converges(bench: Workbench) -> None:
    """A closed terminal: obsctl dies, Terraform (in its own session) runs on until its next
    write to obsctl's pipe; the journal still names it, so the next `up` knows."""
    watched = Watched.start(bench)
    watched.wait_until_applied(0.5)
    journal = bench.state_dir / "targets" / "local" / "dev" / "apply-in-progress.json"
    terraform_pid = json.loads(journal.read_text())["terraform_pid"]
    watched.process.kill()
    watched.finish()
    deadline = time.monotonic() + 300
    while Path(f"/proc/{terraform_pid}").exists():
        assert time.monotonic() < deadline, "the orphaned Terraform never ended"
        time.sleep(0.2)

    again = bench.obsctl("up")
    assert again.returncode == 0, again.stderr
    assert recovery_sentence(again.stdout).startswith(
        "The last apply of dev on the local target was cut short (obsctl itself was killed)"
    )
    assert not journal.exists()
    assert_converged(bench, "dev")


# -- the local AWS stops -------------------------------------------------------------------------


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_local_aws_stopped_mid_apply_fails_fast_and_up_recreates_everything(
    bench: Workbench, env: str
) -> None:
    args = () if env == "dev" else ("--env", env)
    watched = Watched.start(bench, *args)
    watched.wait_until_applied(0.5)
    stopped = time.monotonic()
    assert bench.obsctl("sandbox", "stop", "--force").returncode == 0
    returncode, _, stderr = watched.finish()
    ended = time.monotonic() - stopped
    assert returncode == 1, stderr
    flags = "" if env == "dev" else f" --env {env}"
    assert one_error(stderr) == [
        "obsctl: The local AWS stopped during the apply; start it with `obsctl sandbox start` "
        f"(or run `obsctl up{flags}` again), which re-creates the stack from scratch."
    ]
    assert not [line for line in stderr.splitlines() if "Traceback" in line]
    figure("seconds_from_stop_to_exit", round(ended, 1))

    if env == "dev":
        assert bench.obsctl("sandbox", "start").returncode == 0
    again = bench.obsctl("up", *args)
    assert again.returncode == 0, again.stderr
    assert "The local AWS was restarted since the last apply" in again.stdout
    assert f"Plan: {watched.total} to add, 0 to change" in again.stdout
    assert_converged(bench, env)
