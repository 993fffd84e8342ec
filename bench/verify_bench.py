"""Benchmark of `obsctl verify` on envs/prod (legacy tables on) applied to the local AWS.

    .venv/bin/python bench/verify_bench.py [--runs 5] [--workers 16]

Applies prod once to a fresh local AWS in a temporary OBSCTL_STATE_DIR, then prints the median
(and min/max) of N runs of:

  verify_stack  the function `obsctl up` calls: every API read (parallel) and every control,
                from a state and contract already in memory, clients created anew each run
  session       verify_session(): the state (read where the local target keeps it) + the
                contract + verify_stack, boto3 and parliament loading while the state is read
  cli           `obsctl verify --env prod` in a fresh process (Python start-up, imports,
                session, rendering)

The target is a full verify of prod in under 5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

PROD_VARIABLES = ["create_loki_tables=true", "create_mimir_tables=true"]


def timed(action: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def line(name: str, times: list[float]) -> str:
    return (
        f"{name:<13} median {statistics.median(times):6.2f} s   "
        f"min {min(times):6.2f} s   max {max(times):6.2f} s   ({len(times)} runs)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (>= 3)")
    parser.add_argument("--workers", type=int, default=16, help="threads reading AWS")
    args = parser.parse_args()
    runs = max(3, args.runs)

    with tempfile.TemporaryDirectory(prefix="obsctl-verify-bench-") as folder:
        os.environ["OBSCTL_STATE_DIR"] = folder
        os.environ.setdefault("OBSCTL_PROJECT_DIR", str(REPO))
        from obsctl.sandbox import Sandbox
        from obsctl.verify import VerifyOptions, verify_stack
        from obsctl.verify.session import clients_for, read_state, verify_session
        from obsctl.workspace.session import open_session

        try:
            started = time.perf_counter()
            session = open_session("prod", "local", variables=PROD_VARIABLES)
            session.init()
            session.apply(session.plan())
            print(f"applied envs/prod to the local AWS in {time.perf_counter() - started:.0f} s")

            state = read_state(session)
            contract = session.contract()
            options = VerifyOptions(workers=args.workers)

            reports = []

            def stack_only() -> None:
                clients = clients_for(session, contract.region)
                reports.append(verify_stack(contract, state, clients, options))

            stack_times = timed(stack_only, runs)
            print(f"{reports[-1].verdict()} ({len(reports[-1].results)} checks)")
            session_times = timed(lambda: verify_session(session, options), runs)
            command = [sys.executable, "-m", "obsctl", "verify", "--env", "prod"]
            exits = []

            def cli() -> None:
                completed = subprocess.run(command, capture_output=True, text=True, check=False)
                exits.append(completed.returncode)
                if completed.returncode != 0:
                    print(completed.stdout[-2000:], completed.stderr[-2000:])

            cli_times = timed(cli, runs)
            if set(exits) != {0}:
                return 1
            print(line("verify_stack", stack_times))
            print(line("session", session_times))
            print(line("cli", cli_times))
        finally:
            Sandbox(Path(folder) / "sandbox").stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
