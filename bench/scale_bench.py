"""How plan time grows with the number of periodic Loki tables (50 tenant expiry prefixes on).

    .venv/bin/python bench/scale_bench.py [--tables 1,10,25,50,100] [--runs 2] [--applied]

One local AWS and one root of our own (modules/stack with legacy Loki tables on, periodic,
count = N, and a Loki chunks expiry on 50 tenant prefixes). For each N it times `terraform plan`
(through obsctl's Session, as `obsctl plan` runs it) against an empty state, `--runs` times, and
with `--applied` also applies N tables and times the no-change plan that refreshes them. It
prints a table of medians, then fits seconds = intercept + slope * N by least squares and
reports the slope per table, R² and the slopes of the lower and upper halves of the range:
close halves and an R² near 1 say the growth is linear.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

CLUSTER = "lgtm-scale"


def write_root(folder: Path) -> Path:
    """modules/stack with `table_count` periodic Loki tables and `tenant_count` expiry prefixes."""
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    for name in ("versions.tf", "outputs.tf"):
        shutil.copy(REPO / "terraform" / "envs" / "dev" / name, folder / name)
    source = os.path.relpath(REPO / "terraform" / "modules" / "stack", folder)
    (folder / "main.tf").write_text(
        f"""variable "region" {{
  type    = string
  default = "us-east-1"
}}

variable "eks_cluster_name" {{
  type = string
}}

variable "table_count" {{
  type = number
}}

variable "tenant_count" {{
  type    = number
  default = 50
}}

module "stack" {{
  source           = "{source}"
  providers        = {{ aws = aws, aws.replica = aws }}
  environment      = "dev"
  name_prefix      = "scale"
  eks_cluster_name = var.eks_cluster_name
  force_destroy    = true
  kms              = {{ deletion_window_in_days = 7 }}

  create_loki_tables = true
  dynamodb = {{
    deletion_protection = false
    periodic_tables     = {{ period_hours = 168, first_period = 2800, count = var.table_count }}
  }}
  loki_chunks_expiry = {{
    days            = 60
    tenant_prefixes = [for i in range(var.tenant_count) : format("tenant-%02d/", i)]
  }}
}}
""",
        encoding="utf-8",
    )
    return folder


def _session(root: Path, size: int):  # type: ignore[no-untyped-def]
    from obsctl.workspace.session import open_session

    session = open_session(
        None, "local", root, variables=[f"eks_cluster_name={CLUSTER}", f"table_count={size}"]
    )
    session.init()
    return session


def fit(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Least-squares line through (x, y): (intercept, slope, R²)."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x
    total = sum((y - mean_y) ** 2 for _, y in points)
    residual = sum((y - intercept - slope * x) ** 2 for x, y in points)
    return intercept, slope, 1 - residual / total if total else 1.0


def verdict(samples: dict[int, list[float]]) -> str:
    """The fit through the medians, and what it says: flat (the growth over the whole range is
    within the run-to-run noise), linear (R² >= 0.95 and the upper half of the range grows no
    faster than twice the lower half) or not linear."""
    points = [(float(size), statistics.median(runs)) for size, runs in sorted(samples.items())]
    intercept, slope, r2 = fit(points)
    middle = len(points) // 2
    lower, upper = fit(points[: middle + 1])[1], fit(points[middle:])[1]
    growth = slope * (points[-1][0] - points[0][0])
    noise = statistics.median(max(runs) - min(runs) for runs in samples.values())
    if growth <= 2 * noise:
        shape = f"flat: {growth:.2f} s of growth over the range, within the noise ({noise:.2f} s)"
    elif r2 >= 0.95 and upper <= 2 * max(lower, slope / 2):
        shape = "linear"
    else:
        shape = "NOT linear"
    return (
        f"fit: {intercept:.2f} s + {slope * 1000:.1f} ms/table * N, R² = {r2:.3f}; "
        f"slope {lower * 1000:.1f} ms/table up to N = {points[middle][0]:g}, "
        f"{upper * 1000:.1f} ms/table above; {shape}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default="1,10,25,50,100")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument(
        "--applied", action="store_true", help="also apply N tables and time no-change plans"
    )
    args = parser.parse_args()
    sizes = [int(item) for item in args.tables.split(",")]

    from obsctl.sandbox import Sandbox

    empty: dict[int, list[float]] = {}
    applied: dict[int, list[float]] = {}
    resources: dict[int, int] = {}
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["OBSCTL_STATE_DIR"] = str(Path(scratch) / "state")
        root = write_root(Path(scratch) / "scale-root")
        try:
            # Empty-state plans first, for every size: nothing is applied yet.
            for size in sizes:
                session = _session(root, size)
                empty[size] = []
                for _ in range(args.runs):
                    started = time.monotonic()
                    plan = session.plan()
                    empty[size].append(time.monotonic() - started)
                resources[size] = sum(1 for e in plan.events if e.get("type") == "planned_change")
                print(f"N = {size}: {empty[size]}", file=sys.stderr, flush=True)
            # Then grow one applied stack and time the plans that refresh N tables.
            for size in sizes if args.applied else []:
                session = _session(root, size)
                session.apply(session.plan())
                applied[size] = []
                for _ in range(args.runs):
                    started = time.monotonic()
                    session.plan()
                    applied[size].append(time.monotonic() - started)
                print(f"N = {size} applied: {applied[size]}", file=sys.stderr, flush=True)
        finally:
            Sandbox(Path(scratch) / "state" / "sandbox").stop()

    print(f"\nplan time by periodic Loki tables (50 tenant expiry prefixes), {args.runs} runs each")
    print(f"{'tables':>6}  {'resources':>9}  {'empty-state plan (s)':<28}  median")
    for size in sizes:
        if not empty.get(size):
            continue
        runs = ", ".join(f"{value:.1f}" for value in empty[size])
        median = statistics.median(empty[size])
        print(f"{size:>6}  {resources.get(size, 0):>9}  {runs:<28}  {median:.2f}")
    if len(empty) >= 3:
        print("empty-state plan " + verdict(empty))
    if applied:
        print(f"\n{'tables':>6}  {'no-change plan, N applied (s)':<30}  median")
        for size in sizes:
            runs = ", ".join(f"{value:.1f}" for value in applied[size])
            print(f"{size:>6}  {runs:<30}  {statistics.median(applied[size]):.2f}")
        if len(applied) >= 3:
            print("no-change plan " + verdict(applied))
    return 0


if __name__ == "__main__":
    sys.exit(main())
