"""Benchmark of `obsctl cost` on the prod plan fixture (the DESIGN asks < 1 s after the plan JSON
exists). Prints the median of N runs of:

  estimate   estimate() alone, on a parsed inventory, with the prices loaded
  pipeline   read and parse the plan JSON, price book, preset, estimate + naive comparison,
             render the table: everything `obsctl cost --compare` does after the plan exists
  cli        the console script in a fresh process (Python start-up and imports included)

    .venv/bin/python bench/cost_bench.py [--runs 50] [--plan tests/fixtures/plan/prod.json]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from obsctl.cost.model import compare, estimate
from obsctl.cost.price_file import load_price_book
from obsctl.cost.render import render_table
from obsctl.cost.usage_file import preset
from obsctl.model import plan_stack, read_plan

ROOT = Path(__file__).resolve().parents[1]


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--plan", type=Path, default=ROOT / "tests/fixtures/plan/prod.json")
    parser.add_argument("--preset", default="large")
    args = parser.parse_args()

    started = time.perf_counter()
    inventory = plan_stack(read_plan(args.plan))
    prices = load_price_book().region(inventory.region or "us-east-1")
    usage = preset(args.preset)
    cold = (time.perf_counter() - started) * 1000.0

    def pipeline() -> str:
        parsed = plan_stack(read_plan(args.plan))
        result = compare(parsed, usage, load_price_book().region(parsed.region or "us-east-1"))
        return render_table(result.estimate, result)

    alone = median_ms(lambda: estimate(inventory, usage, prices), args.runs)
    whole = median_ms(pipeline, args.runs)
    command = [
        str(Path(sys.executable).with_name("obsctl")), "cost", "--plan-json", str(args.plan),
        "--preset", args.preset, "--compare",
    ]  # fmt: skip
    cli = median_ms(
        lambda: subprocess.run(command, check=True, capture_output=True), max(3, args.runs // 10)
    )
    print(f"plan {args.plan.name}, preset {args.preset}, {len(inventory.buckets)} buckets")
    print(f"first load (plan, prices, preset):  {cold:8.1f} ms")
    print(f"estimate, median of {args.runs}:          {alone:8.1f} ms")
    print(f"pipeline, median of {args.runs}:          {whole:8.1f} ms")
    print(f"cli process, median of {max(3, args.runs // 10)}:        {cli:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
