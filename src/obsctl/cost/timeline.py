"""The life of one object under a bucket's lifecycle policy (`model.lifecycle.Policy`).

An object is written in one class, moves down S3's transition waterfall at the rules' transition
days (if S3 lets it: objects under 128 KB stay where they are by default), stops being current
when the app deletes it or an expiration rule expires it, then, in a versioned bucket, lives on
as a noncurrent version until the noncurrent-expiration rule removes it. `timeline()` returns
that life as segments, one per storage class; the cost model turns segments into money.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from obsctl.cost.units import UNBOUNDED_HORIZON_DAYS
from obsctl.model.lifecycle import (
    ALL_CLASSES_128K,
    DEEP_ARCHIVE,
    GLACIER,
    GLACIER_IR,
    INTELLIGENT_TIERING,
    ONEZONE_IA,
    STANDARD,
    STANDARD_IA,
    VARIES_BY_CLASS,
    Policy,
)

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
