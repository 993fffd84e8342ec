"""State locks: reading Terraform's lock info, judging staleness from /proc, the workspace lock,
and the runner turning lock failures, kills and a dying local AWS into one sentence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from obsctl.errors import ObsctlError
from obsctl.terraform.errors import TerraformKilledError
from obsctl.terraform.holders import judge_lock, state_location, terraform_processes, this_holder
from obsctl.terraform.lockinfo import LockInfo
from obsctl.terraform.locks import local_state_locked, state_lock_error
from obsctl.terraform.runner import LockErrorFactory, Terraform
from obsctl.terraform.supervise import Watchdog
from obsctl.workspace.lock import WorkspaceBusyError, WorkspaceLock

FAKE = Path(__file__).with_name("fake_terraform.py")

# What Terraform 1.11 put in the diagnostic of a lock conflict on an S3 state (use_lockfile).
LOCK_DETAIL = (
    "Error message: operation error S3: PutObject, https response error StatusCode: 412, "
    "api error PreconditionFailed: At least one of the pre-conditions you specified did not "
    "hold\nLock Info:\n  ID:        11111111-2222-3333-4444-555555555555\n  Path:      "
    "obsctl-local-tfstate/prod/terraform.tfstate\n  Operation: OperationTypeApply\n  Who:       "
    "alice@laptop\n  Version:   1.11.4\n  Created:   2026-11-26 04:46:23.39785392 +0000 UTC\n"
    "  Info:      \n\n\nTerraform acquires a state lock to protect the state from being written\n"
    "by multiple users at the same time."
)


def _lock(**fields: str) -> LockInfo:
    base = {
        "ID": "1fb329eb-5e25-e524-9b5e-cefe7e499daa",
        "Operation": "OperationTypeApply",
        "Who": this_holder(),
        "Created": "2026-11-26T04:46:23.39785392Z",
        "Path": "obsctl-local-tfstate/prod/terraform.tfstate",
    }
    return LockInfo.from_json({**base, **fields})


@pytest.fixture
def fake_terraform_in(tmp_path: Path) -> Iterator[callable]:
    """Start processes whose argv[0] is `terraform`, working in a given root; stop them after."""
    started: list[subprocess.Popen[bytes]] = []

    def start(cwd: Path, *args: str, env: dict[str, str] | None = None) -> int:
        script = "import time; time.sleep(60)"
        process = subprocess.Popen(
            [
                "bash",
                "-c",
                'exec -a terraform "$0" -c "$1" "${@:2}"',
                sys.executable,
                script,
                *args,
            ],
            cwd=cwd,
            env=env,
        )
        started.append(process)
        deadline = time.monotonic() + 10
        while Path(f"/proc/{process.pid}/cmdline").read_bytes().split(b"\0")[0] != b"terraform":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        return process.pid

    yield start
    for process in started:
        process.kill()
        process.wait()


# -- LockInfo -----------------------------------------------------------------------------------


def test_lock_info_is_read_from_terraforms_lock_error_and_names_the_holder() -> None:
    lock = LockInfo.from_text(f"Error acquiring the state lock\n{LOCK_DETAIL}")
    assert lock is not None
    assert (lock.id, lock.who, lock.user, lock.host) == (
        "11111111-2222-3333-4444-555555555555",
        "alice@laptop",
        "alice",
        "laptop",
    )
    assert lock.describe() == (
        "alice@laptop (apply, since 2026-11-26 04:46:23 UTC, "
        "lock ID 11111111-2222-3333-4444-555555555555)"
    )
    assert LockInfo.from_text("Error: something else entirely") is None


def test_lock_info_from_a_tflock_object_reads_rfc3339_times() -> None:
    lock = _lock(Operation="OperationTypePlan")
    assert lock.created_at is not None and lock.created_at.isoformat().startswith("2026-11-26T04")
    assert "(plan, since 2026-11-26 04:46:23 UTC" in lock.describe()


# -- is the holder alive? ----------------------------------------------------------------------


def test_a_lock_taken_here_with_no_terraform_running_the_root_is_stale(tmp_path: Path) -> None:
    verdict = judge_lock(_lock(), tmp_path)
    assert verdict.taken_here and not verdict.holders and verdict.stale


def test_a_terraform_process_in_the_root_or_chdir_to_it_holds_the_lock(
    tmp_path: Path, fake_terraform_in
) -> None:
    root, elsewhere = tmp_path / "root", tmp_path / "elsewhere"
    root.mkdir()
    elsewhere.mkdir()
    in_root = fake_terraform_in(root)
    via_chdir = fake_terraform_in(elsewhere, "-chdir=../root", "apply")
    fake_terraform_in(elsewhere)  # another root: not a holder
    pids = [process.pid for process in terraform_processes(root)]
    assert pids == sorted([in_root, via_chdir])
    verdict = judge_lock(_lock(), root)
    assert not verdict.stale and [p.pid for p in verdict.holders] == pids


def test_a_terraform_on_the_same_root_but_another_state_does_not_hold_the_lock(
    tmp_path: Path, fake_terraform_in
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for data_dir in (ours, theirs):
        data_dir.mkdir()
        (data_dir / "terraform.tfstate").write_text(
            json.dumps({"backend": {"type": "s3", "config": {"bucket": "b", "key": "prod/s"}}})
        )
    ours_env = {"TF_DATA_DIR": str(ours), "AWS_ENDPOINT_URL": "http://127.0.0.1:1111"}
    theirs_env = {"TF_DATA_DIR": str(theirs), "AWS_ENDPOINT_URL": "http://127.0.0.1:2222"}
    state = state_location(root, ours_env)
    assert state == "s3:http://127.0.0.1:1111/b/prod/s"
    fake_terraform_in(root, env={**os.environ, **theirs_env})
    assert terraform_processes(root, state) == []
    same = fake_terraform_in(root, env={**os.environ, **ours_env, "TF_DATA_DIR": str(ours)})
    assert [process.pid for process in terraform_processes(root, state)] == [same]


def test_local_backend_state_location_follows_path_and_workspace(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    backend = {"backend": {"type": "local", "config": {"path": str(tmp_path / "s.tfstate")}}}
    (data / "terraform.tfstate").write_text(json.dumps(backend))
    assert state_location(tmp_path, {"TF_DATA_DIR": str(data)}) == f"local:{tmp_path}/s.tfstate"
    assert state_location(tmp_path, {"TF_DATA_DIR": str(tmp_path / "none")}) is None


def test_lock_errors_say_wait_release_or_ask_depending_on_the_holder(
    tmp_path: Path, fake_terraform_in
) -> None:
    unlock = "obsctl unlock --env prod --target local"
    stale = state_lock_error(_lock(), tmp_path, "prod on the local target", unlock)
    assert stale.message == (
        f"The state of prod on the local target is locked by {this_holder()} (apply, since "
        "2026-11-26 04:46:23 UTC, lock ID 1fb329eb-5e25-e524-9b5e-cefe7e499daa)."
    )
    assert "so the lock is stale" in stale.hint
    assert f"`{unlock} 1fb329eb-5e25-e524-9b5e-cefe7e499daa`" in stale.hint

    foreign = state_lock_error(_lock(Who="bob@ci-runner-7"), tmp_path, "prod", unlock)
    assert "taken on ci-runner-7" in foreign.hint and "ask bob@ci-runner-7" in foreign.hint

    pid = fake_terraform_in(tmp_path)
    alive = state_lock_error(_lock(), tmp_path, "prod", unlock)
    assert f"Terraform (pid {pid}) on this machine still runs {tmp_path}" in alive.hint
    assert "never release a lock that is in use" in alive.hint


def test_a_local_state_lock_is_seen_while_a_process_holds_it(tmp_path: Path) -> None:
    state = tmp_path / "terraform.tfstate"
    state.write_text("{}")
    assert not local_state_locked(state)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            f"fd = os.open({str(state)!r}, os.O_RDWR)\n"
            "fcntl.lockf(fd, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        assert local_state_locked(state)
    finally:
        holder.kill()
        holder.wait()
    assert not local_state_locked(state)


# -- obsctl's workspace lock -------------------------------------------------------------------


def test_a_second_process_on_the_workspace_fails_at_once_naming_the_first(tmp_path: Path) -> None:
    path = tmp_path / "work" / "obsctl.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                sys.argv = ["obsctl", "up", "--env", "prod"]
                from pathlib import Path
                from obsctl.workspace.lock import WorkspaceLock
                WorkspaceLock(Path({str(path)!r}), "prod on the local target").acquire()
                print("held", flush=True)
                time.sleep(60)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        # A waiting lock would get the file only after the holder's 60 s: no error at all.
        with pytest.raises(WorkspaceBusyError) as caught:
            WorkspaceLock(path, "prod on the local target").acquire()
        message = caught.value.message
        assert message.startswith(f"prod on the local target is locked by obsctl pid {holder.pid}")
        assert message.endswith(" UTC (`obsctl up --env prod`).")
    finally:
        holder.kill()
        holder.wait()
    lock = WorkspaceLock(path, "prod")
    lock.acquire()  # the holder died: its flock went with it
    lock.release()


def test_the_workspace_lock_is_reentrant_within_one_process(tmp_path: Path) -> None:
    path = tmp_path / "obsctl.lock"
    first, second = WorkspaceLock(path, "dev"), WorkspaceLock(path, "dev")
    first.acquire()
    second.acquire()
    first.release()
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys\n"
            f"fd = os.open({str(path)!r}, os.O_RDWR)\n"
            "try:\n    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept OSError:\n"
            "    sys.exit(1)\n",
        ],
    )
    assert probe.returncode == 1, "still held while one session of this process holds it"
    second.release()
    assert json.loads(path.read_text() or "{}") == {}


# -- the runner ---------------------------------------------------------------------------------


def _fake(
    tmp_path: Path,
    scenario: dict,
    *,
    watchdog: Watchdog | None = None,
    lock_error: LockErrorFactory | None = None,
) -> Terraform:
    launcher = tmp_path / "terraform"
    launcher.write_text(f'#!/bin/sh\nexec {sys.executable} {FAKE} "$@"\n')
    launcher.chmod(0o755)
    scenario_file = tmp_path / "scenario.json"
    scenario_file.write_text(json.dumps(scenario))
    env = {**os.environ, "FAKE_TF_SCENARIO": str(scenario_file)}
    return Terraform(launcher, tmp_path, env, watchdog=watchdog, lock_error=lock_error)


def _lock_diagnostic() -> dict:
    return {
        "type": "diagnostic",
        "diagnostic": {
            "severity": "error",
            "summary": "Error acquiring the state lock",
            "detail": LOCK_DETAIL,
        },
    }


def test_runner_hands_a_lock_failure_with_its_holder_to_the_lock_error_factory(
    tmp_path: Path,
) -> None:
    scenario = {"apply": {"exit": 1, "events": [_lock_diagnostic()]}}
    seen: list[LockInfo | None] = []

    def factory(lock: LockInfo | None, error: Exception) -> ObsctlError:
        seen.append(lock)
        return ObsctlError("named")

    terraform = _fake(tmp_path, scenario, lock_error=factory)
    with pytest.raises(ObsctlError, match=r"^named$"):
        terraform.apply_auto()
    assert seen[0] is not None and seen[0].id == "11111111-2222-3333-4444-555555555555"

    terraform = _fake(tmp_path, scenario)
    with pytest.raises(ObsctlError) as caught:
        terraform.apply_auto()
    assert caught.value.message == (
        f"The Terraform state of {tmp_path} is locked by alice@laptop (apply, since "
        "2026-11-26 04:46:23 UTC, lock ID 11111111-2222-3333-4444-555555555555)."
    )


def test_runner_reads_a_lock_failure_from_plain_text_output(tmp_path: Path) -> None:
    text = "\x1b[31m│\x1b[0m Error: Error acquiring the state lock\n" + "\n".join(
        f"\x1b[31m│\x1b[0m {line}" for line in LOCK_DETAIL.splitlines()
    )
    terraform = _fake(tmp_path, {"state": {"exit": 1, "stderr": text}})
    with pytest.raises(ObsctlError, match="locked by alice@laptop"):
        terraform.state_pull()


def test_a_watchdog_verdict_stops_terraform_at_once_and_is_raised(tmp_path: Path) -> None:
    polls: list[str] = []

    def watchdog(command: str) -> ObsctlError | None:
        polls.append(command)
        return ObsctlError("The local AWS stopped during the apply.") if len(polls) > 2 else None

    terraform = _fake(tmp_path, {"apply": {"wait_for_interrupt": True}}, watchdog=watchdog)
    # Unless it is killed, the fake waits 20 s and exits 0: no error at all.
    with pytest.raises(ObsctlError, match=r"^The local AWS stopped during the apply\.$"):
        terraform.apply_auto()
    assert set(polls) == {"apply"}


def test_terraform_killed_by_a_signal_is_one_sentence(tmp_path: Path) -> None:
    pids: list[int] = []

    def kill_soon(command: str) -> None:
        if pids:
            time.sleep(0.3)
            os.kill(pids[0], 9)
            pids.clear()

    terraform = _fake(tmp_path, {"apply": {"wait_for_interrupt": True}}, watchdog=kill_soon)
    with pytest.raises(TerraformKilledError) as caught:
        terraform.apply_auto(on_start=pids.append)
    assert caught.value.message == "terraform apply was killed (SIGKILL) before it finished."


# -- obsctl unlock without anything to release ----------------------------------------------------


def _obsctl(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    obsctl = Path(sys.executable).with_name("obsctl")
    env = {**os.environ, "OBSCTL_STATE_DIR": str(tmp_path / "obsctl")}
    return subprocess.run([obsctl, *args], capture_output=True, text=True, env=env, timeout=120)


def test_unlock_with_no_local_aws_running_has_nothing_to_release(tmp_path: Path) -> None:
    result = _obsctl(tmp_path, "unlock", "--env", "prod", "1fb329eb")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "The local AWS is not running, so nothing is locked for prod on the local target: "
        "the locks of its state lived in it."
    )


def test_unlock_of_a_local_state_explains_that_its_lock_ends_with_its_process(
    tmp_path: Path,
) -> None:
    result = _obsctl(tmp_path, "unlock", "--env", "dev", "1fb329eb")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "dev on the local target is not locked: a local state's lock ends with its process, "
        "so a killed run cannot leave one behind."
    )
    assert _obsctl(tmp_path, "unlock", "--env", "dev").returncode == 2, "LOCK_ID is required"
