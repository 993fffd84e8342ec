"""Plan and apply wall times of the env roots on the local AWS, beside the provider-only floor.

    .venv/bin/python bench/terraform_bench.py [--runs 3] [--roots floor,dev,prod]

Each run starts a fresh local AWS and a fresh state, then times: plan (empty state, saved plan),
apply (of that plan), a second plan (no changes) and destroy. prod runs with both legacy table
flags on and is not destroyed: its guards refuse (tables with deletion protection, buckets
without force_destroy, and moto's access logs fill the log bucket). It prints the median of the
runs and the slowest single resource of any apply.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

ROOTS = {
    "floor": (REPO / "bench" / "floor", []),
    "dev": (None, []),
    "prod": (None, ["create_loki_tables=true", "create_mimir_tables=true"]),
}
GUARDED = {"prod"}  # refuses a destroy by design


def _one_run(name: str) -> dict[str, float | str]:
    from obsctl.sandbox import Sandbox
    from obsctl.workspace.session import open_session

    root, variables = ROOTS[name]
    with tempfile.TemporaryDirectory() as state:
        os.environ["OBSCTL_STATE_DIR"] = state
        if root is not None:
            session = _floor_session(root)
        else:
            session = open_session(name, "local", variables=variables)
        session.init()
        slowest: list[tuple[float, str]] = []

        def record(event: dict) -> None:
            if event.get("type") == "apply_complete":
                hook = event["hook"]
                slowest.append((hook.get("elapsed_seconds", 0), hook["resource"]["addr"]))

        started = time.monotonic()
        plan = session.plan()
        planned = time.monotonic()
        session.apply(plan, on_event=record)
        applied = time.monotonic()
        session.plan()
        replanned = time.monotonic()
        destroy = None
        if name not in GUARDED:
            session.apply(session.plan(destroy=True))
            destroy = time.monotonic() - replanned
        Sandbox(Path(state) / "sandbox").stop()
    worst = max(slowest, default=(0, "-"))
    return {
        "plan": planned - started,
        "apply": applied - planned,
        "noop_plan": replanned - applied,
        "destroy": destroy,
        "resources": len(slowest),
        "slowest_seconds": worst[0],
        "slowest_resource": worst[1],
    }


def _floor_session(root: Path):  # type: ignore[no-untyped-def]
    """A Session for the floor root, which has no stack contract to check."""
    from obsctl.paths import state_dir
    from obsctl.sandbox import Sandbox
    from obsctl.targets.aws import AwsTarget
    from obsctl.terraform.binary import require_binary
    from obsctl.terraform.runner import Terraform
    from obsctl.workspace import Workspace
    from obsctl.workspace.session import Session, terraform_settings

    workspace = Workspace(
        root=root, label="floor", target="local", backend="local", variables=frozenset()
    )
    sandbox = Sandbox(state_dir() / "sandbox")
    sandbox.start()
    env = sandbox.apply_environment({**os.environ, **terraform_settings(workspace)})
    binary = require_binary()
    # Terraform is pointed at the local AWS by `env`; the floor root needs nothing else of it.
    return Session(workspace, binary, Terraform(binary.path, root, env), AwsTarget(workspace), [])


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--roots", default="floor,dev,prod")
    args = parser.parse_args()
    results = {}
    for name in args.roots.split(","):
        runs = [_one_run(name) for _ in range(args.runs)]
        results[name] = {
            key: statistics.median(run[key] for run in runs)
            for key in ("plan", "apply", "noop_plan", "resources", "slowest_seconds")
        }
        destroys = [run["destroy"] for run in runs if run["destroy"] is not None]
        results[name]["destroy"] = statistics.median(destroys) if destroys else None
        results[name]["slowest_resource"] = max(runs, key=lambda r: r["slowest_seconds"])[
            "slowest_resource"
        ]
        print(f"{name}: {json.dumps(results[name])}", file=sys.stderr, flush=True)
    print("| root | resources | plan s | apply s | no-op plan s | destroy s | slowest resource |")
    print("|---|---|---|---|---|---|---|")
    for name, row in results.items():
        print(
            f"| {name} | {row['resources']:.0f} | {row['plan']:.1f} | {row['apply']:.1f} | "
            f"{row['noop_plan']:.1f} | {_seconds(row['destroy'])} | {row['slowest_seconds']:.0f} s "
            f"({row['slowest_resource']}) |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
