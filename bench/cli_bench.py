"""obsctl's own overhead: `obsctl --help` start-up, and `obsctl up` cold against plain Terraform.

    .venv/bin/python bench/cli_bench.py [--runs 3] [--help-runs 20]

`obsctl up` cold: no sandbox, no data dir; it starts the local AWS, seeds the cluster, runs init,
plan, apply and reads the outputs. Plain: the same root with `terraform init && terraform apply
-auto-approve` against an already running and seeded local AWS, from a fresh data dir and state.
The ratio is obsctl over plain (goal: under 1.1).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OBSCTL = REPO / ".venv" / "bin" / "obsctl"
sys.path.insert(0, str(REPO / "src"))


def help_seconds(runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.monotonic()
        subprocess.run([str(OBSCTL), "--help"], check=True, capture_output=True)
        times.append(time.monotonic() - started)
    return statistics.median(times)


def obsctl_up_seconds() -> float:
    with tempfile.TemporaryDirectory() as state:
        env = {**os.environ, "OBSCTL_STATE_DIR": state}
        started = time.monotonic()
        subprocess.run([str(OBSCTL), "up"], check=True, capture_output=True, env=env)
        elapsed = time.monotonic() - started
        stop = [str(OBSCTL), "sandbox", "stop", "--force"]
        subprocess.run(stop, check=True, capture_output=True, env=env)
    return elapsed


def plain_terraform_seconds() -> float:
    from obsctl.sandbox import Sandbox
    from obsctl.terraform.cliconfig import resolve_provider_source, write_cli_config

    with tempfile.TemporaryDirectory() as state:
        sandbox = Sandbox(Path(state) / "sandbox")
        sandbox.start()
        sandbox.seed_cluster("lgtm-dev")
        env = sandbox.apply_environment(dict(os.environ))
        source = resolve_provider_source()
        config = write_cli_config(Path(state), source) if source else None
        if config:
            env["TF_CLI_CONFIG_FILE"] = str(config)
        env["TF_DATA_DIR"] = str(Path(state) / "data")
        root = REPO / "terraform" / "envs" / "dev"
        terraform = shutil.which("terraform") or "terraform"
        started = time.monotonic()
        subprocess.run(
            [
                terraform,
                f"-chdir={root}",
                "init",
                "-input=false",
                f"-backend-config=path={state}/terraform.tfstate",
            ],
            check=True,
            capture_output=True,
            env=env,
        )
        subprocess.run(
            [
                terraform,
                f"-chdir={root}",
                "apply",
                "-auto-approve",
                "-input=false",
                "-var=eks_cluster_name=lgtm-dev",
            ],
            check=True,
            capture_output=True,
            env=env,
        )
        elapsed = time.monotonic() - started
        sandbox.stop()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--help-runs", type=int, default=20)
    args = parser.parse_args()
    help_time = help_seconds(args.help_runs)
    ours = statistics.median(obsctl_up_seconds() for _ in range(args.runs))
    plain = statistics.median(plain_terraform_seconds() for _ in range(args.runs))
    print("| measure | median |")
    print("|---|---|")
    print(f"| `obsctl --help` ({args.help_runs} runs) | {help_time:.3f} s |")
    print(f"| `obsctl up`, cold, envs/dev ({args.runs} runs) | {ours:.1f} s |")
    print(f"| `terraform init && terraform apply`, envs/dev ({args.runs} runs) | {plain:.1f} s |")
    print(f"| ratio obsctl / plain | {ours / plain:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
