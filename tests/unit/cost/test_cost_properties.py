"""Properties of the model (hypothesis): more volume or a longer life never costs less, and a
transition into a cheaper class never raises storage cost when S3's own limits are respected."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from obsctl.cost.model import estimate
from obsctl.cost.prices import ARCHIVE_CLASSES, INTELLIGENT_TIERING, STANDARD, RegionPrices
from obsctl.cost.s3 import bucket_quantities, s3_lines
from obsctl.cost.streams import BucketWorkload, ObjectStream
from obsctl.cost.timeline import ALLOWED_TRANSITIONS, timeline
from obsctl.cost.units import KB, MB
from obsctl.cost.usage_file import preset
from obsctl.model.lifecycle import WATERFALL, Lifecycle, LifecycleRule, Transition
from obsctl.model.stack import Bucket
from obsctl.model.stack import Stack as Inventory

TARGETS = [cls for cls in WATERFALL if cls != STANDARD]


@st.composite
def transitions(draw: st.DrawFn, classes: list[str] = TARGETS) -> tuple[Transition, ...]:
    chosen = draw(st.lists(st.sampled_from(classes), max_size=3, unique=True))
    chosen.sort(key=WATERFALL.index)
    days = sorted(
        draw(st.lists(st.integers(0, 400), min_size=len(chosen), max_size=len(chosen), unique=True))
    )
    return tuple(Transition(float(day), cls) for day, cls in zip(days, chosen, strict=True))


def bucket(rules: tuple[LifecycleRule, ...], versioned: bool) -> Bucket:
    return Bucket(
        address="b", name="b", app="loki", store="chunks", versioning=versioned,
        encryption="aws:kms", bucket_key=True, lifecycle=Lifecycle(rules=rules),
    )  # fmt: skip


def cost(
    prices: RegionPrices,
    stream: ObjectStream,
    rules: tuple[LifecycleRule, ...],
    versioned: bool,
    storage_only: bool = False,
) -> float:
    quantities = bucket_quantities(
        bucket(rules, versioned), BucketWorkload(streams=(stream,)), prices.rules.s3
    )
    lines = s3_lines(quantities, prices, standard_rate=0.023)
    return sum(line.usd for line in lines if not storage_only or line.unit == "GB-month")


sizes = st.sampled_from(
    [1 * KB, 64 * KB, 127 * KB, 128 * KB, 200 * KB, 1 * MB, 100 * MB, 2048 * MB]
)
ages = st.one_of(st.none(), st.floats(0.1, 800))
expirations = st.one_of(st.none(), st.integers(1, 800).map(float))
noncurrent = st.one_of(st.none(), st.integers(1, 200).map(float))


@settings(max_examples=300, deadline=None)
@given(
    size=sizes, rate=st.floats(0.01, 1e5), factor=st.floats(1.0, 100.0), age=ages,
    steps=transitions(), expiry=expirations, kept=noncurrent, versioned=st.booleans(),
    reads=st.floats(0, 1e12), window=st.one_of(st.none(), st.floats(0.5, 60)),
)  # fmt: skip
def test_more_objects_never_cost_less(
    prices: RegionPrices, size: float, rate: float, factor: float, age: float | None,
    steps: tuple[Transition, ...], expiry: float | None, kept: float | None, versioned: bool,
    reads: float, window: float | None,
) -> None:  # fmt: skip
    rules = (
        LifecycleRule(expiration_days=expiry, transitions=steps, noncurrent_expiration_days=kept),
    )
    stream = ObjectStream(
        name="s", prefix="", objects_per_day=rate, object_bytes=size, app_days=age,
        read_bytes_per_month=reads, read_window_days=window,
    )  # fmt: skip
    more = replace(stream, objects_per_day=rate * factor, read_bytes_per_month=reads * factor)
    assert cost(prices, more, rules, versioned) >= cost(prices, stream, rules, versioned) * (
        1 - 1e-9
    )


@settings(max_examples=300, deadline=None)
@given(
    size=sizes, rate=st.floats(0.01, 1e5), first=st.floats(0.1, 800), extra=st.floats(0, 400),
    steps=transitions(), expiry=expirations,
)  # fmt: skip
def test_a_longer_life_never_costs_less_without_versioning(
    prices: RegionPrices, size: float, rate: float, first: float, extra: float,
    steps: tuple[Transition, ...], expiry: float | None,
) -> None:  # fmt: skip
    rules = (LifecycleRule(expiration_days=expiry, transitions=steps),)
    short = ObjectStream(
        name="s", prefix="", objects_per_day=rate, object_bytes=size, app_days=first
    )
    long = replace(short, app_days=first + extra)
    assert cost(prices, long, rules, False) >= cost(prices, short, rules, False) * (1 - 1e-9)


@settings(max_examples=300, deadline=None)
@given(
    size=sizes, age=st.floats(0.1, 400), steps=transitions(), first=st.integers(1, 200),
    extra=st.integers(0, 200),
)  # fmt: skip
def test_keeping_noncurrent_versions_longer_never_costs_less(
    prices: RegionPrices, size: float, age: float, steps: tuple[Transition, ...], first: int,
    extra: int,
) -> None:  # fmt: skip
    stream = ObjectStream(name="s", prefix="", objects_per_day=100, object_bytes=size, app_days=age)
    shorter = (LifecycleRule(transitions=steps, noncurrent_expiration_days=float(first)),)
    longer = (LifecycleRule(transitions=steps, noncurrent_expiration_days=float(first + extra)),)
    assert cost(prices, stream, longer, True) >= cost(prices, stream, shorter, True) * (1 - 1e-9)


def test_a_longer_retention_can_cost_less_when_versions_outlive_it_in_a_cheaper_class(
    prices: RegionPrices,
) -> None:
    """Not a bug: with versioning, a block deleted at day 29 spends its 30 noncurrent days in
    Standard, while one deleted at day 31 has reached Standard-IA and spends them there."""
    rules = (
        LifecycleRule(transitions=(Transition(30, "STANDARD_IA"),), noncurrent_expiration_days=30),
    )
    stream = ObjectStream(
        name="s", prefix="", objects_per_day=10, object_bytes=100 * MB, app_days=29
    )
    # 29 + 30 = 59 days x $0.023 against 30 x $0.023 + 31 x $0.0125 (+ transition requests)
    assert cost(prices, replace(stream, app_days=31), rules, True) < cost(
        prices, stream, rules, True
    )


CHEAPER_TARGETS = [cls for cls in TARGETS if cls != INTELLIGENT_TIERING]


def per_object_month(prices: RegionPrices, cls: str, size: float) -> float:
    """What one object of `size` costs per month in `cls`, with the 128 KB minimum and the
    40 KB archive overhead."""
    rules = prices.rules.s3
    if cls in ARCHIVE_CLASSES:
        billable = size + rules.archive_overhead_class_bytes
        overhead = rules.archive_overhead_standard_bytes * 0.023
    else:
        billable, overhead = max(size, rules.min_billable_bytes.get(cls, 0.0)), 0.0
    price = 0.023 if cls == STANDARD else prices.s3.storage_price(cls).usd
    return billable * price + overhead


@settings(max_examples=400, deadline=None)
@given(
    data=st.data(), size=st.sampled_from([128 * KB, 130 * KB, 1 * MB, 64 * MB, 1024 * MB]),
    steps=transitions(CHEAPER_TARGETS), age=st.floats(1, 800), versioned=st.booleans(),
    kept=st.integers(1, 200),
)  # fmt: skip
def test_an_added_transition_into_a_cheaper_class_never_raises_storage_cost(
    prices: RegionPrices, data: st.DataObject, size: float, steps: tuple[Transition, ...],
    age: float, versioned: bool, kept: int,
) -> None:  # fmt: skip
    """For objects of at least 128 KB that stay past the minimum of the class they leave and of
    the class they enter, when S3 allows the move and the rest of the rules still apply."""
    rules = prices.rules.s3
    base_rule = LifecycleRule(transitions=steps, noncurrent_expiration_days=float(kept))
    base = timeline(
        size, Lifecycle(rules=(base_rule,)).policy_for("", size), app_days=age,
        versioned=versioned, min_transition_bytes=rules.min_transition_bytes,
    )  # fmt: skip
    at = float(data.draw(st.integers(0, max(0, int(base.current_days) - 1))))
    assume(at < base.current_days)
    current = next(s for s in base.segments if s.start <= at < s.end)
    options = [
        cls
        for cls in CHEAPER_TARGETS
        if cls in ALLOWED_TRANSITIONS[current.storage_class]
        and per_object_month(prices, cls, size)
        < per_object_month(prices, current.storage_class, size)
    ]
    assume(options)
    added = data.draw(st.sampled_from(options))
    new_rule = replace(base_rule, transitions=(*steps, Transition(at, added)))
    new = timeline(
        size, Lifecycle(rules=(new_rule,)).policy_for("", size), app_days=age,
        versioned=versioned, min_transition_bytes=rules.min_transition_bytes,
    )  # fmt: skip
    # S3 still makes the base rules' later transitions (One Zone-IA, say, cannot reach Glacier IR).
    later = [segment.storage_class for segment in base.segments if segment.start > at]
    assume(added in new.transitions and all(cls in new.transitions for cls in later))
    for segment in new.segments:
        if (
            segment.storage_class in (current.storage_class, added)
            and segment.ended_by != "horizon"
        ):
            assume(segment.days >= rules.min_storage_days.get(segment.storage_class, 0.0))
    stream = ObjectStream(name="s", prefix="", objects_per_day=10, object_bytes=size, app_days=age)
    with_added = cost(prices, stream, (new_rule,), versioned, storage_only=True)
    without = cost(prices, stream, (base_rule,), versioned, storage_only=True)
    assert with_added <= without * (1 + 1e-9)


# --------------------------------------------------------------------------------------------
# The whole stack


@pytest.mark.parametrize("name", ["small", "medium", "large"])
@settings(max_examples=25, deadline=None)
@given(low=st.floats(0.05, 20), high=st.floats(0.05, 20))
def test_stack_cost_never_decreases_when_every_volume_grows(
    prices: RegionPrices, dev_inventory: Inventory, prod_inventory: Inventory, name: str,
    low: float, high: float,
) -> None:  # fmt: skip
    low, high = sorted((low, high))
    usage = preset(name)
    for inventory in (dev_inventory, prod_inventory):
        small = estimate(inventory, usage.scaled(low), prices).total
        large = estimate(inventory, usage.scaled(high), prices).total
        assert large >= small * (1 - 1e-9)


@settings(max_examples=40, deadline=None)
@given(
    app=st.sampled_from(["mimir", "loki", "tempo"]), first=st.integers(1, 500),
    extra=st.integers(0, 500),
)  # fmt: skip
def test_dev_stack_cost_never_decreases_when_retention_lengthens(
    prices: RegionPrices, dev_inventory: Inventory, app: str, first: int, extra: int
) -> None:
    usage = preset("small")

    def total(days: int) -> float:
        changed = replace(usage, **{app: replace(getattr(usage, app), retention_days=float(days))})
        return estimate(dev_inventory, changed, prices).total

    assert total(first + extra) >= total(first) * (1 - 1e-9)


@settings(max_examples=40, deadline=None)
@given(
    app=st.sampled_from(["mimir", "loki", "tempo"]),
    first=st.integers(1, 600),
    extra=st.integers(0, 400),
)
def test_prod_stack_cost_never_decreases_when_retention_lengthens_past_the_tiers(
    prices: RegionPrices, prod_inventory: Inventory, app: str, first: int, extra: int
) -> None:
    """Mimir's blocks tier at 30 and 120 days in prod; from 120 days on, a longer retention only
    adds Glacier IR days (see the counterexample above for shorter ones)."""
    if app == "mimir":
        first = max(first, 120)
    usage = preset("medium")

    def total(days: int) -> float:
        changed = replace(usage, **{app: replace(getattr(usage, app), retention_days=float(days))})
        return estimate(prod_inventory, changed, prices).total

    assert total(first + extra) >= total(first) * (1 - 1e-9)
