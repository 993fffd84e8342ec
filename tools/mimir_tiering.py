"""Decide prod's Mimir blocks tiering by the numbers, with the project's cost model.

Three lifecycles for the blocks bucket of terraform/envs/prod (its recorded plan,
tests/fixtures/plan/prod.json): Standard only; Standard-IA after 30 days; Standard-IA after
30 days then Glacier Instant Retrieval after 120. Each is priced for the three usage presets,
with the queries' reads spread over the whole retention (store-gateways read index headers
and old blocks, and a long-range query reads every day it covers) or over the last 7 days
only, and with GETs of 16, 64 and 256 KB (store-gateways read index sections and chunk
ranges, not whole objects; the chart turns their caches off).

    .venv/bin/python -m tools.mimir_tiering            # print the table
    .venv/bin/python -m tools.mimir_tiering --write    # rewrite the table in the guide
    .venv/bin/python -m tools.mimir_tiering --check    # exit 1 when the guide's table is stale
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from obsctl.cost import estimate, load_price_book, preset, region_of
from obsctl.model import Stack, plan_stack, read_plan
from obsctl.model.lifecycle import LifecycleRule, Transition

REPO = Path(__file__).resolve().parents[1]
PLAN = REPO / "tests" / "fixtures" / "plan" / "prod.json"
GUIDE = REPO / "terraform" / "modules" / "INTEGRATION_EXAMPLE.md"
MARK = "mimir-tiering"
PRESETS = ("small", "medium", "large")
GET_KB = (16, 64, 256)
RECENT_DAYS = 7
LIFECYCLES = {
    "Standard only": (),
    "Standard-IA at 30 d": (Transition(30, "STANDARD_IA"),),
    "Standard-IA at 30 d, Glacier IR at 120 d": (
        Transition(30, "STANDARD_IA"),
        Transition(120, "GLACIER_IR"),
    ),
}


@dataclass(frozen=True)
class Row:
    preset: str
    reads_gb: float
    window: str
    get_kb: int
    usd: tuple[float, ...]  # one per lifecycle, in LIFECYCLES order


def with_blocks_transitions(stack: Stack, steps: tuple[Transition, ...]) -> Stack:
    """The stack with the Mimir blocks bucket's transitions replaced by `steps` (its other
    rules, noncurrent expiry and multipart abort, kept)."""
    buckets = []
    for bucket in stack.buckets:
        if (bucket.app, bucket.store) == ("mimir", "blocks") and bucket.lifecycle is not None:
            rules = [rule for rule in bucket.lifecycle.rules if not rule.transitions]
            rules.append(LifecycleRule(id="transition-storage-class", transitions=steps))
            lifecycle = dataclasses.replace(bucket.lifecycle, rules=tuple(rules))
            bucket = dataclasses.replace(bucket, lifecycle=lifecycle)
        buckets.append(bucket)
    return dataclasses.replace(stack, buckets=tuple(buckets))


def rows(plan: Path = PLAN) -> list[Row]:
    stack = plan_stack(read_plan(plan), source=str(plan))
    retention = float(stack.retention("mimir") or 395)
    variants = [with_blocks_transitions(stack, steps) for steps in LIFECYCLES.values()]
    table = []
    for name in PRESETS:
        usage = preset(name)
        prices = load_price_book().region(region_of(stack, usage))
        for window, days in (("whole retention", retention), ("last 7 days", RECENT_DAYS)):
            for kb in GET_KB if days == retention else GET_KB[-1:]:
                mimir = dataclasses.replace(usage.mimir, read_window_days=days, read_request_kb=kb)
                priced = dataclasses.replace(usage, mimir=mimir)
                usd = tuple(
                    sum(
                        line.usd
                        for line in estimate(v, priced, prices).lines
                        if line.app == "mimir"
                    )
                    for v in variants
                )
                table.append(Row(name, usage.mimir.read_gb_per_month, window, kb, usd))
    return table


def markdown(table: list[Row]) -> str:
    names = list(LIFECYCLES)
    lines = [
        "| preset | reads/month | reads spread over | GET size | " + " | ".join(names) + " |",
        "|---|---:|---|---:|" + "---:|" * len(names),
    ]
    for row in table:
        cells = [f"${row.usd[0]:,.2f}"] + [
            f"${usd:,.2f} ({(usd / row.usd[0] - 1) * 100:+.0f}%)" for usd in row.usd[1:]
        ]
        lines.append(
            f"| {row.preset} | {row.reads_gb:,.0f} GB | {row.window} | {row.get_kb} KB | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines)


def _replace(text: str, table: str) -> str:
    pattern = re.compile(
        rf"(<!-- generated:{MARK} -->\n)(?:.*?\n)?(<!-- /generated:{MARK} -->)", re.S
    )
    if not pattern.search(text):
        raise SystemExit(f"{GUIDE} has no <!-- generated:{MARK} --> block")
    return pattern.sub(lambda m: m.group(1) + table + "\n" + m.group(2), text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="rewrite the guide's table")
    action.add_argument("--check", action="store_true", help="fail when the guide's table is stale")
    args = parser.parse_args(argv)
    table = markdown(rows())
    if not (args.write or args.check):
        print(table)
        return 0
    text = GUIDE.read_text(encoding="utf-8")
    updated = _replace(text, table)
    if args.check:
        if updated != text:
            print(f"{GUIDE.name}: the Mimir tiering table is stale (run --write)", file=sys.stderr)
            return 1
        return 0
    GUIDE.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
