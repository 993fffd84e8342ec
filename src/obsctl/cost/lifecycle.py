"""S3 lifecycle semantics: which rules reach an object stream and the life of one object.

An object is written in one class, moves down S3's transition waterfall at the rules' transition
days (if S3 lets it: objects under 128 KB stay where they are by default), stops being current
when the app deletes it or an expiration rule expires it, then, in a versioned bucket, lives on
as a noncurrent version until the noncurrent-expiration rule removes it. `timeline()` returns
that life as segments, one per storage class; the cost model turns segments into money.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from obsctl.cost.prices import (
    DEEP_ARCHIVE,
    GLACIER,
    GLACIER_IR,
    INTELLIGENT_TIERING,
    ONEZONE_IA,
    STANDARD,
    STANDARD_IA,
)
from obsctl.cost.units import UNBOUNDED_HORIZON_DAYS

# The transitions S3 supports between classes [AWS-LC]: always down the waterfall, and never
# from One Zone-IA into Glacier Instant Retrieval.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    STANDARD: frozenset(
        {STANDARD_IA, INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE}
    ),
    STANDARD_IA: frozenset({INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE}),
    INTELLIGENT_TIERING: frozenset({ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE}),
    ONEZONE_IA: frozenset({GLACIER, DEEP_ARCHIVE}),
    GLACIER_IR: frozenset({GLACIER, DEEP_ARCHIVE}),
    GLACIER: frozenset({DEEP_ARCHIVE}),
    DEEP_ARCHIVE: frozenset(),
}

# transition_default_minimum_object_size [AWS-TDMOS]: the default blocks transitions of objects
# under 128 KB into every class; the alternative still lets them into the two archive classes.
ALL_CLASSES_128K = "all_storage_classes_128K"
VARIES_BY_CLASS = "varies_by_storage_class"


@dataclass(frozen=True)
class Transition:
    days: float
    storage_class: str
    size_filtered: bool = False  # the rule filters on object size, which overrides the default


@dataclass(frozen=True)
class LifecycleRule:
    rule_id: str = ""
    enabled: bool = True
    prefix: str = ""
    min_size: float | None = None  # ObjectSizeGreaterThan, bytes (exclusive)
    max_size: float | None = None  # ObjectSizeLessThan, bytes (exclusive)
    tag_filter: bool = False  # a tag filter: object tags are unknown, so the rule is not applied
    expiration_days: float | None = None
    transitions: tuple[Transition, ...] = ()
    noncurrent_expiration_days: float | None = None
    noncurrent_transitions: tuple[Transition, ...] = ()
    abort_multipart_days: float | None = None

    def applies_to(self, key_prefix: str, size: float) -> bool:
        if not self.enabled or self.tag_filter or not key_prefix.startswith(self.prefix):
            return False
        if self.min_size is not None and not size > self.min_size:
            return False
        return self.max_size is None or size < self.max_size


@dataclass(frozen=True)
class Policy:
    """The merged effect of every rule that reaches one stream of objects."""

    expiration_days: float | None = None
    transitions: tuple[Transition, ...] = ()
    noncurrent_expiration_days: float | None = None
    noncurrent_transitions: tuple[Transition, ...] = ()


def _earliest(values: list[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return min(present) if present else None


@dataclass(frozen=True)
class Lifecycle:
    rules: tuple[LifecycleRule, ...] = ()
    min_transition_size: str = ALL_CLASSES_128K

    def policy_for(self, key_prefix: str, size: float) -> Policy:
        """Every enabled rule whose filter covers the stream, merged as S3 applies them: the
        earliest expiration wins, and transitions of all rules happen in day order."""
        rules = [rule for rule in self.rules if rule.applies_to(key_prefix, size)]
        return Policy(
            expiration_days=_earliest([rule.expiration_days for rule in rules]),
            transitions=tuple(
                sorted(
                    (step for rule in rules for step in rule.transitions),
                    key=lambda step: (step.days, WATERFALL.index(step.storage_class)),
                )
            ),
            noncurrent_expiration_days=_earliest(
                [rule.noncurrent_expiration_days for rule in rules]
            ),
            noncurrent_transitions=tuple(
                sorted(
                    (step for rule in rules for step in rule.noncurrent_transitions),
                    key=lambda step: (step.days, WATERFALL.index(step.storage_class)),
                )
            ),
        )


WATERFALL = (
    STANDARD, STANDARD_IA, INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE,
)  # fmt: skip


def can_transition(
    current: str,
    target: str,
    size: float,
    *,
    min_transition_bytes: float,
    min_transition_size: str = ALL_CLASSES_128K,
    size_filtered: bool = False,
) -> bool:
    """Whether S3 moves an object of `size` bytes from `current` into `target`."""
    if target not in ALLOWED_TRANSITIONS.get(current, frozenset()):
        return False
    if size >= min_transition_bytes or size_filtered:
        return True
    return min_transition_size == VARIES_BY_CLASS and target in (GLACIER, DEEP_ARCHIVE)


@dataclass(frozen=True)
class Segment:
    """A stretch of an object's life in one storage class, in days since it was written."""

    storage_class: str
    start: float
    end: float
    ended_by: str  # "transition", "deletion" or "horizon" (an unbounded life, cut for the model)

    @property
    def days(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Timeline:
    segments: tuple[Segment, ...]
    current_days: float  # age at which the object stops being the current version
    total_days: float  # age at which the last version is gone (or the horizon)
    bounded: bool
    transitions: tuple[str, ...] = field(default=())  # classes entered through a transition

    def current_days_in(self, storage_class: str, within: float | None = None) -> float:
        """Days the current version spends in `storage_class`, up to age `within`."""
        limit = self.current_days if within is None else min(within, self.current_days)
        return sum(
            max(0.0, min(segment.end, limit) - segment.start)
            for segment in self.segments
            if segment.storage_class == storage_class
        )


def timeline(
    size: float,
    policy: Policy,
    *,
    app_days: float | None,
    versioned: bool,
    min_transition_bytes: float,
    min_transition_size: str = ALL_CLASSES_128K,
    initial_class: str = STANDARD,
    horizon_days: float = UNBOUNDED_HORIZON_DAYS,
) -> Timeline:
    """The life of one object of `size` bytes that the app deletes at age `app_days` (None:
    never), under `policy`, in a bucket with or without versioning."""
    ends = [days for days in (app_days, policy.expiration_days) if days is not None]
    bounded = bool(ends)
    current_end = min(ends) if ends else horizon_days
    noncurrent = 0.0
    if versioned and bounded:
        if policy.noncurrent_expiration_days is None:
            noncurrent, bounded = horizon_days, False
        else:
            noncurrent = policy.noncurrent_expiration_days
    total = current_end + noncurrent

    # S3 expires rather than transitions when both fall on the same day, hence strict `<`.
    events = [(step.days, step) for step in policy.transitions if step.days < current_end]
    if versioned:
        events += [
            (current_end + step.days, step)
            for step in policy.noncurrent_transitions
            if step.days < noncurrent
        ]
    segments: list[Segment] = []
    entered: list[str] = []
    storage_class, start = initial_class, 0.0
    for at, step in sorted(events, key=lambda event: event[0]):
        if not can_transition(
            storage_class,
            step.storage_class,
            size,
            min_transition_bytes=min_transition_bytes,
            min_transition_size=min_transition_size,
            size_filtered=step.size_filtered,
        ):
            continue
        if entered and at <= start:  # two transitions due on one day: S3 makes the later one
            entered[-1] = storage_class = step.storage_class
            continue
        if at > start:
            segments.append(Segment(storage_class, start, at, "transition"))
        entered.append(step.storage_class)
        storage_class, start = step.storage_class, at
    segments.append(Segment(storage_class, start, total, "deletion" if bounded else "horizon"))
    return Timeline(
        segments=tuple(segments),
        current_days=current_end,
        total_days=total,
        bounded=bounded,
        transitions=tuple(entered),
    )
