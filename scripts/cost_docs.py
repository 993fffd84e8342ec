"""Regenerate the tables of docs/cost.md from the cost model, the presets and the price file.

    .venv/bin/python scripts/cost_docs.py            # rewrite docs/cost.md in place
    .venv/bin/python scripts/cost_docs.py --check    # exit 1 if docs/cost.md is out of date

Each table sits between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`; the text
around them is written by hand. The reference workloads price tests/fixtures/plan/{dev,prod}.json,
the plans of today's env roots (scripts/record_fixtures.py writes them; an integration test
fails when the modules plan something else).
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from obsctl.cost import workload
from obsctl.cost.bill import CLOUDTRAIL, CLOUDWATCH, DYNAMODB, KMS, S3
from obsctl.cost.model import Comparison, compare
from obsctl.cost.price_file import load_price_book
from obsctl.cost.prices import GLACIER_IR, STANDARD, STANDARD_IA, Price, PriceBook
from obsctl.cost.services import key_lines, table_lines
from obsctl.cost.text import money
from obsctl.cost.units import GB
from obsctl.cost.usage import (
    ConfigUsage,
    DynamoAppUsage,
    KmsUsage,
    LokiUsage,
    MimirUsage,
    OperationsUsage,
    TempoUsage,
)
from obsctl.cost.usage_file import field_docs, preset, preset_names
from obsctl.model import Stack, plan_stack, read_plan
from obsctl.model.stack import Scaling, Table

# The original description's "Expected Costs" (USD per month), per env and in total.
DESCRIPTION_RANGES = {
    "dev": {"total": (10, 35), S3: (5, 20), DYNAMODB: (5, 15), KMS: (1, 1)},
    "prod": {"total": (150, 700), S3: (100, 500), DYNAMODB: (50, 200), KMS: (1, 5)},
}
ENVS = ("dev", "prod")


def _table(header: list[str], rows: list[list[str]], align: str) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _position(value: float, low: float, high: float) -> str:
    if value < low:
        return "below"
    return "above" if value > high else "within"


class Context:
    def __init__(self, plans: Path) -> None:
        self.book: PriceBook = load_price_book()
        self.plans = plans
        self.stacks: dict[str, Stack] = {
            env: plan_stack(read_plan(plans / f"{env}.json")) for env in ENVS
        }
        self.results: dict[tuple[str, str], Comparison] = {}
        for env, stack in self.stacks.items():
            prices = self.book.region(stack.region or "us-east-1")
            for name in preset_names():
                self.results[(env, name)] = compare(stack, preset(name), prices)


def reference_workloads(context: Context) -> str:
    rows = []
    for (env, name), result in context.results.items():
        services = result.estimate.by_service()
        ranges = DESCRIPTION_RANGES[env]
        s3 = services.get(S3, 0.0)
        total = result.estimate.total
        rows.append(
            [
                env,
                name,
                f"{money(s3)} ({_position(s3, *ranges[S3])} {ranges[S3][0]}-{ranges[S3][1]})",
                *(money(services.get(service, 0.0)) for service in (KMS, DYNAMODB)),
                money(services.get(CLOUDTRAIL, 0.0) + services.get(CLOUDWATCH, 0.0)),
                f"**{money(total)}**",
                f"{_position(total, *ranges['total'])} {ranges['total'][0]}-{ranges['total'][1]}",
                money(result.naive.total),
                money(result.savings),
            ]
        )
    header = [
        "env", "preset", "S3 (description)", "KMS", "DynamoDB", "CloudTrail + CloudWatch",
        "total", "total (description)", "naive", "saving",
    ]  # fmt: skip
    return _table(header, rows, ["---"] * 2 + ["---:"] * 5 + ["---"] + ["---:"] * 2)


LEGACY_TABLE = Table(address="legacy", name="loki-index", app="loki", pitr=True)
REFERENCE_PAIRS = (("dev", "small"), ("prod", "medium"))


def with_legacy_table(context: Context) -> str:
    """The reference pairs with the legacy Loki index table on (on demand, PITR on)."""
    prices = context.book.region("us-east-1")
    rows = []
    for env, name in REFERENCE_PAIRS:
        total = context.results[(env, name)].estimate.total
        lines = table_lines(LEGACY_TABLE, preset(name).dynamodb.loki, 1.0, prices)
        table = sum(line.usd for line in lines)
        low, high = DESCRIPTION_RANGES[env]["total"]
        low_ddb, high_ddb = DESCRIPTION_RANGES[env][DYNAMODB]
        rows.append(
            [
                f"{env} / {name}",
                money(total),
                f"{money(table)} ({_position(table, low_ddb, high_ddb)} {low_ddb}-{high_ddb})",
                f"**{money(total + table)}**",
                f"{_position(total + table, low, high)} {low}-{high}",
            ]
        )
    header = ["env / preset", "as planned", "+ Loki table (description)", "total", "description"]
    return _table(header, rows, ["---", "---:", "---:", "---:", "---"])


def storage_breakdown(context: Context) -> str:
    rows = []
    for (env, name), result in context.results.items():
        streams = result.estimate.streams
        stored = {STANDARD: 0.0, STANDARD_IA: 0.0, GLACIER_IR: 0.0}
        noncurrent = sum(stream.noncurrent_gb for stream in streams)
        total = sum(stream.stored_gb for stream in streams)
        churn = sum(
            stream.stored_gb
            for stream in streams
            if stream.current_days < 1.0  # objects the apps replace within a day
        )
        for stream in streams:
            for cls, days in stream.days_by_class.items():
                if cls in stored and stream.total_days:
                    stored[cls] += stream.stored_gb * days / stream.total_days
        rows.append(
            [
                env,
                name,
                f"{total:,.0f}",
                *(f"{stored[cls]:,.0f}" for cls in stored),
                f"{noncurrent:,.0f} ({100 * noncurrent / total:.0f}%)" if total else "0",
                f"{churn:,.0f} ({100 * churn / total:.0f}%)" if total else "0",
            ]
        )
    header = [
        "env", "preset", "GB stored", "in Standard", "in Standard-IA", "in Glacier IR",
        "noncurrent versions", "replaced within a day",
    ]  # fmt: skip
    return _table(header, rows, ["---"] * 2 + ["---:"] * 6)


def dynamodb(context: Context) -> str:
    prices = context.book.region("us-east-1")
    rows = []
    for name in preset_names():
        usage = preset(name).dynamodb.loki
        legacy = LEGACY_TABLE
        variants = [
            ("on demand, Standard", legacy),
            ("on demand, Standard-IA", replace(legacy, table_class="STANDARD_INFREQUENT_ACCESS")),
            (
                "provisioned, auto scaling 70%",
                replace(
                    legacy,
                    billing_mode="PROVISIONED",
                    scaling={"read": Scaling(5, 40_000), "write": Scaling(5, 40_000)},
                ),
            ),
        ]
        costs = [sum(line.usd for line in table_lines(t, usage, 1.0, prices)) for _, t in variants]
        rows.append(
            [
                name,
                f"{usage.write_units_per_second:g} / {usage.read_units_per_second:g}",
                f"{usage.storage_gb:g}",
                *(money(cost) for cost in costs),
            ]
        )
    header = ["preset", "WRU/s / RRU/s", "GB", *(label for label, _ in variants)]
    return _table(header, rows, ["---"] * 3 + ["---:"] * 3)


def kms(context: Context) -> str:
    rows = []
    for env, stack in context.stacks.items():
        prices = context.book.region(stack.region or "us-east-1")
        first = sum(line.usd for key in stack.keys for line in key_lines(key, prices, 0.0))
        steady = sum(line.usd for key in stack.keys for line in key_lines(key, prices, None))
        labels = ", ".join(key.app for key in stack.keys)
        rows.append([env, f"{len(stack.keys)} ({labels})", money(first), money(steady)])
    header = ["env", "keys", "first year (no rotation yet)", "steady state (2 rotations billed)"]
    return _table(header, rows, ["---", "---", "---:", "---:"])


def replication(context: Context) -> str:
    """prod with replica_region=us-west-2, per preset: what replication adds, by kind of line."""
    from obsctl.cost.model import estimate
    from obsctl.cost.replication import replica_region

    stack = plan_stack(read_plan(context.plans / "prod-replica.json"))
    east = context.book.region(stack.region or "us-east-1")
    west = context.book.region(replica_region(stack) or "us-west-2")
    rows = []
    for name in preset_names():
        bill = estimate(stack, preset(name), east, replica_prices=west)
        replicas = [line for line in bill.lines if line.resource.endswith("-replica")]
        transfer = [line for line in replicas if line.item.startswith("inter-Region transfer")]
        storage = [
            line
            for line in replicas
            if line.item in ("storage", "early deletion (minimum storage duration)")
        ]
        requests = [
            line for line in replicas if line.service == "S3" and line not in transfer + storage
        ]
        keys = [line for line in replicas if line.service == "KMS"]
        plain = context.results[("prod", name)].estimate.total
        rows.append(
            [
                name,
                f"{sum(line.quantity for line in transfer):,.0f}",
                money(sum(line.usd for line in transfer)),
                money(sum(line.usd for line in requests)),
                money(sum(line.usd for line in storage)),
                money(sum(line.usd for line in keys)),
                money(plain),
                money(bill.total),
            ]
        )
    header = [
        "preset",
        "GB replicated a month",
        "transfer",
        "replication PUTs and transitions",
        "replica storage",
        "replica keys and KMS",
        "prod",
        "prod with replication",
    ]
    return _table(header, rows, ["---", *["---:"] * 7])


def presets(_: Context) -> str:
    rows = []
    for name in preset_names():
        usage = preset(name)
        rows.append(
            [
                name,
                f"{usage.mimir.active_series:,.0f} @ {usage.mimir.scrape_interval_seconds:g} s",
                f"{usage.loki.raw_gb_per_day:,.0f}",
                f"{usage.tempo.spans_per_second:,.0f}",
                f"{usage.mimir.read_gb_per_month:,.0f} / {usage.loki.read_gb_per_month:,.0f} / "
                f"{usage.tempo.read_gb_per_month:,.0f}",
                f"{usage.mimir.tenants}",
                f"{usage.mimir.rule_groups:,.0f} / {usage.loki.rule_groups:,.0f}",
            ]
        )
    header = [
        "preset", "Mimir active series", "Loki raw GB/day", "Tempo spans/s",
        "reads GB/month (M / L / T)", "tenants", "rule groups (M / L)",
    ]  # fmt: skip
    return _table(header, rows, ["---"] + ["---:"] * 6)


SECTIONS = {
    "mimir": MimirUsage,
    "loki": LokiUsage,
    "tempo": TempoUsage,
    "config": ConfigUsage,
    "operations": OperationsUsage,
    "kms": KmsUsage,
    "dynamodb.<app>": DynamoAppUsage,
}


def usage_fields(_: Context) -> str:
    rows = []
    for section, cls in SECTIONS.items():
        for name, default, unit, doc, source in field_docs(cls):
            shown = "null" if default is None else f"{default:g}"
            rows.append([f"`{section}.{name}`", shown, unit, doc, source])
    return _table(["field", "default", "unit", "meaning", "source"], rows, ["---"] * 5)


def rules(context: Context) -> str:
    rows = []
    for name, fact in context.book.rules.facts.items():
        tags = " ".join(f"[{tag}]" for tag in fact.sources)
        rows.append([f"`{name}`", f"{fact.value:g}", tags])
    return _table(["rule", "value", "sources"], rows, ["---", "---:", "---"])


def regions(context: Context) -> str:
    rows = []
    for region, prices in context.book.regions.items():
        s3 = prices.s3
        tags = sorted(
            {
                tag
                for price in (
                    s3.standard_tiers[0].price,
                    prices.dynamodb["STANDARD"].write_per_million,
                )
                for tag in price.sources
            }
        )
        rows.append(
            [
                f"{region} ({prices.name})",
                f"{s3.standard_tiers[0].price.usd:g}",
                f"{s3.storage_price(STANDARD_IA).usd:g}",
                f"{s3.storage_price(GLACIER_IR).usd:g}",
                f"{s3.classes[STANDARD].put_per_1k.usd:g} / "
                f"{s3.classes[STANDARD].get_per_1k.usd:g}",
                f"{prices.kms.requests_per_10k.usd:g}",
                f"{prices.dynamodb['STANDARD'].write_per_million.usd:g} / "
                f"{prices.dynamodb['STANDARD'].read_per_million.usd:g}",
                " ".join(f"[{tag}]" for tag in tags),
                f"{sum(1 for price in _prices(prices) if price.unverified)} of "
                f"{len(_prices(prices))}",
            ]
        )
    header = [
        "region", "Standard $/GB", "Standard-IA", "Glacier IR", "PUT / GET per 1k",
        "KMS per 10k", "DynamoDB WRU / RRU per M", "sources (Standard, DynamoDB)",
        "unverified",
    ]  # fmt: skip
    return _table(header, rows, ["---"] + ["---:"] * 6 + ["---", "---:"])


def sources(context: Context) -> str:
    rows = [
        [f"[{tag}]", source.date or "", source.text.replace("|", "\\|")]
        for tag, source in context.book.sources.items()
    ]
    return _table(["tag", "date of the reading", "source"], rows, ["---", "---", "---"])


def _prices(node: object, path: str = "") -> list[Price]:
    if isinstance(node, Price):
        return [node]
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return [
            price
            for item in dataclasses.fields(node)
            if item.name not in ("rules", "sources", "notes")
            for price in _prices(getattr(node, item.name))
        ]
    if isinstance(node, dict):
        return [price for value in node.values() for price in _prices(value)]
    if isinstance(node, tuple | list):
        return [price for value in node for price in _prices(value)]
    return []


def unverified(context: Context) -> str:
    """Every price the price file marks unverified, and why."""
    rows = []
    for region, prices in context.book.regions.items():
        for price in _prices(prices):
            if price.unverified:
                where = price.path.removeprefix(f"regions.{region}.")
                rows.append([region, f"`{where}`", f"{price.usd:g}", price.unverified])
    return _table(["region", "price", "USD", "why unverified"], rows, ["---", "---", "---:", "---"])


def mimir_levels(context: Context) -> str:
    """The four kinds of Mimir blocks for prod with the medium preset."""
    usage = preset("medium")
    retention = float(context.stacks["prod"].retention("mimir") or 395)
    noncurrent = 30.0
    rows = []
    for level in workload.mimir_levels(usage.mimir, retention):
        per_day = level.blocks_per_day * level.bytes_per_block / GB
        rows.append(
            [
                level.name,
                f"{level.blocks_per_day:g}",
                f"{level.bytes_per_block / GB:,.2f}",
                f"{level.life_days * 24:,.1f} h"
                if level.life_days < 2
                else f"{level.life_days:,.1f} d",
                f"{per_day * level.life_days:,.0f}",
                f"{per_day * noncurrent:,.0f}",
            ]
        )
    header = [
        "blocks", "per day", "GB each", "in the bucket", "GB current", "GB noncurrent (30 d)",
    ]  # fmt: skip
    return _table(header, rows, ["---"] + ["---:"] * 5)


GENERATORS: dict[str, Callable[[Context], str]] = {
    "reference-workloads": reference_workloads,
    "storage-breakdown": storage_breakdown,
    "with-legacy-table": with_legacy_table,
    "dynamodb": dynamodb,
    "kms": kms,
    "replication": replication,
    "presets": presets,
    "usage-fields": usage_fields,
    "rules": rules,
    "regions": regions,
    "unverified": unverified,
    "mimir-levels": mimir_levels,
    "sources": sources,
}
_BLOCK = re.compile(r"(<!-- generated:([a-z-]+) -->\n)(.*?)(<!-- /generated:\2 -->)", re.S)


def regenerate(text: str, context: Context) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(2)
        if name not in GENERATORS:
            raise SystemExit(f"cost_docs: unknown generated block {name!r}")
        return f"{match.group(1)}{GENERATORS[name](context)}\n{match.group(4)}"

    return _BLOCK.sub(fill, text)


def main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(prog="scripts/cost_docs.py", description=__doc__)
    parser.add_argument("doc", nargs="?", type=Path, default=root / "docs" / "cost.md")
    parser.add_argument("--plans", type=Path, default=root / "tests" / "fixtures" / "plan")
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args(argv)
    text = args.doc.read_text(encoding="utf-8")
    updated = regenerate(text, Context(args.plans))
    if args.check:
        if updated != text:
            print(f"{args.doc} is out of date: run scripts/cost_docs.py", file=sys.stderr)
            return 1
        return 0
    args.doc.write_text(updated, encoding="utf-8")
    print(f"updated {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
