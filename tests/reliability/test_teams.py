"""Teams and remote state: prod's S3 state (with `use_lockfile`) in the local AWS, raced.

One prod stack is applied for the whole module; each case leaves it valid for the next:

- two `obsctl up --env prod` on one machine: obsctl's workspace lock lets exactly one proceed and
  stops the other before Terraform starts, naming the first; the state grows by one apply;
- a teammate's plain `terraform apply` (its own TF_DATA_DIR, the same bucket and key) holding
  the backend lock: `obsctl up` fails with one sentence naming the holder, `obsctl unlock`
  refuses while that process lives, and the state stays valid;
- a teammate's Terraform killed while it held the lock: obsctl calls the lock stale and says how
  to release it, `obsctl unlock` does, and `obsctl up` goes on.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from obsctl.workspace import LOCAL_STATE_BUCKET
from tests.reliability.conftest import REPO, Workbench
from tests.reliability.test_faults import assert_converged, one_error, raw_state

PROD = REPO / "terraform" / "envs" / "prod"
STATE_KEY = "prod/terraform.tfstate"
LOCK_KEY = f"{STATE_KEY}.tflock"


@pytest.fixture(scope="module")
def prod(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    """A prod stack applied once to the module's own local AWS."""
    bench = Workbench(tmp_path_factory.mktemp("teams") / "obsctl")
    bench.state_dir.mkdir()
    previous = os.environ.get("OBSCTL_STATE_DIR")
    os.environ["OBSCTL_STATE_DIR"] = str(bench.state_dir)
    up = bench.obsctl("up", "--env", "prod")
    assert up.returncode == 0, up.stderr
    yield bench
    bench.sandbox.stop()
    if previous is not None:
        os.environ["OBSCTL_STATE_DIR"] = previous


def tempo_retention(state: dict) -> int:
    return state["outputs"]["settings"]["value"]["retention_days"]["tempo"]


def lock_object(bench: Workbench) -> dict | None:
    s3 = bench.sandbox.client("s3")
    try:
        return json.loads(s3.get_object(Bucket=LOCAL_STATE_BUCKET, Key=LOCK_KEY)["Body"].read())
    except s3.exceptions.NoSuchKey:
        return None


def wait_for_lock(bench: Workbench, process: subprocess.Popen[str]) -> dict:
    deadline = time.monotonic() + 120
    while (lock := lock_object(bench)) is None:
        assert process.poll() is None, "the teammate's Terraform ended before it took the lock"
        assert time.monotonic() < deadline, "the teammate's Terraform never took the lock"
        time.sleep(0.1)
    return lock


class Teammate:
    """Plain Terraform in terraform/envs/prod with its own data dir, on the same S3 state."""

    def __init__(self, bench: Workbench, home: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env.update(bench.sandbox.environment())
        self.env.update(TF_DATA_DIR=str(home / "data"), CHECKPOINT_DISABLE="1")
        rc_file = bench.state_dir / "terraform.rc"
        if rc_file.exists():
            self.env["TF_CLI_CONFIG_FILE"] = str(rc_file)
        init = self.run(
            "init",
            "-input=false",
            f"-backend-config=bucket={LOCAL_STATE_BUCKET}",
            f"-backend-config=key={STATE_KEY}",
            "-backend-config=region=us-east-1",
            "-backend-config=use_lockfile=true",
        )
        assert init.returncode == 0, init.stdout + init.stderr

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["terraform", *args], cwd=PROD, env=self.env, capture_output=True, text=True
        )

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            ["terraform", *args],
            cwd=PROD,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )


def test_two_obsctl_ups_on_one_workspace_one_proceeds_the_other_fails_fast(
    prod: Workbench,
) -> None:
    before = raw_state(prod, "prod")
    runs = {
        tempo: prod.start("up", "--env", "prod", "--var", f"retention_days={{tempo={tempo}}}")
        for tempo in (15, 16)
    }
    ended: dict[int, float] = {}
    outputs: dict[int, tuple[str, str]] = {}
    while len(ended) < len(runs):
        for tempo, process in runs.items():
            if tempo not in ended and process.poll() is not None:
                ended[tempo] = time.monotonic()
                outputs[tempo] = process.communicate()
        time.sleep(0.05)

    codes = sorted(process.returncode for process in runs.values())
    assert codes == [0, 1], {tempo: outputs[tempo][1] for tempo in runs}
    winner = next(tempo for tempo, process in runs.items() if process.returncode == 0)
    loser = next(tempo for tempo in runs if tempo != winner)
    assert ended[loser] < ended[winner], "the second run waited instead of failing fast"
    (error,) = one_error(outputs[loser][1])
    assert re.fullmatch(
        rf"obsctl: prod on the local target is locked by obsctl pid {runs[winner].pid} since "
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(`obsctl up --env prod --var "
        rf"retention_days=\{{tempo={winner}\}}`\)\.",
        error,
    ), error
    assert outputs[loser][0] == "", "the losing run must stop before Terraform starts"

    after = raw_state(prod, "prod")
    assert after["lineage"] == before["lineage"]
    assert after["serial"] == before["serial"] + 1, "one apply writes the state once"
    assert tempo_retention(after) == winner


def holders(stderr: str, before: str, after: str) -> list[int]:
    """The pids a message names between `before` and `after` ("pid 1, 2"). Besides the
    teammate's, a Terraform another test worker runs on the same root at that moment, whose
    state obsctl cannot read yet, is named too: obsctl counts it as a holder to be safe."""
    match = re.search(re.escape(before) + r"([0-9, ]+)" + re.escape(after), stderr)
    assert match is not None, stderr
    return [int(pid) for pid in match.group(1).split(", ")]


def test_a_teammates_terraform_apply_holds_the_backend_lock_and_obsctl_names_it(
    prod: Workbench, tmp_path: Path
) -> None:
    teammate = Teammate(prod, tmp_path)
    before = raw_state(prod, "prod")
    # Without -auto-approve Terraform plans, then waits for "yes" holding the lock.
    apply = teammate.start(
        "apply", "-var=eks_cluster_name=lgtm-prod", "-var=retention_days={tempo=18}"
    )
    try:
        lock = wait_for_lock(prod, apply)
        ours = prod.obsctl("up", "--env", "prod", "--var", "retention_days={tempo=19}")
        assert ours.returncode == 1, ours.stderr
        (error,) = one_error(ours.stderr)
        assert error == (
            f"obsctl: The state of prod on the local target is locked by {lock['Who']} (apply, "
            f"since {lock['Created'][:10]} {lock['Created'][11:19]} UTC, lock ID {lock['ID']})."
        )
        still_runs = f") on this machine still runs {PROD}"
        assert apply.pid in holders(ours.stderr, "Terraform (pid ", still_runs)

        refused = prod.obsctl("unlock", "--env", "prod", lock["ID"])
        assert refused.returncode == 1
        assert apply.pid in holders(
            refused.stderr,
            "obsctl: Refusing to unlock prod on the local target: Terraform (pid ",
            still_runs,
        )
        assert lock_object(prod) == lock

        out, err = apply.communicate("yes\n", timeout=300)
        assert apply.returncode == 0, out + err
    finally:
        if apply.poll() is None:
            os.killpg(apply.pid, signal.SIGKILL)
    assert lock_object(prod) is None
    after = raw_state(prod, "prod")
    assert after["lineage"] == before["lineage"] and after["serial"] > before["serial"]
    assert tempo_retention(after) == 18, "the teammate's apply is the one that happened"


def test_a_killed_teammates_lock_is_called_stale_and_obsctl_unlock_releases_it(
    prod: Workbench, tmp_path: Path
) -> None:
    teammate = Teammate(prod, tmp_path)
    plan = teammate.start("plan", "-input=false", "-var=eks_cluster_name=lgtm-prod")
    lock = wait_for_lock(prod, plan)
    os.killpg(plan.pid, signal.SIGKILL)  # the machine-level kill: Terraform and its plugins
    plan.communicate(timeout=60)

    blocked = prod.obsctl("up", "--env", "prod")
    assert blocked.returncode == 1, blocked.stderr
    assert one_error(blocked.stderr) == [
        f"obsctl: The state of prod on the local target is locked by {lock['Who']} (plan, "
        f"since {lock['Created'][:10]} {lock['Created'][11:19]} UTC, lock ID {lock['ID']})."
    ]
    command = f"obsctl unlock --env prod --target local {lock['ID']}"
    assert "so the lock is stale" in blocked.stderr and f"`{command}`" in blocked.stderr

    wrong = prod.obsctl("unlock", "--env", "prod", "not-the-lock-id")
    assert wrong.returncode == 1 and "not by lock ID not-the-lock-id" in wrong.stderr
    released = prod.obsctl(*command.split()[1:])
    assert released.returncode == 0, released.stderr
    assert f"Released lock {lock['ID']} of prod on the local target" in released.stdout
    assert lock_object(prod) is None

    again = prod.obsctl("up", "--env", "prod")
    assert again.returncode == 0, again.stderr
    assert_converged(prod, "prod")
