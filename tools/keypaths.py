"""Key paths of YAML trees and allowlists of valid paths (the upstream references, as facts).

A path is a tuple of segments: map keys (str) and list positions (int). An allowlist holds
patterns in the same shape, where "*" stands for any map key, "[]" for any list item and a
trailing "**" for anything below. Its text form has one pattern per line, segments joined by
".", "[]" glued to the key before it, and keys outside ``[A-Za-z0-9_/-]`` JSON-quoted:

    blocks_storage.s3.bucket_name
    schema_config.configs[].index.period
    serviceAccount.annotations.*
    "grafana.ini".**

A chart allowlist may also declare passthroughs: a chart subtree the chart template hands to the
application config verbatim, checked against the application's own allowlist:

    @passthrough mimir.structuredConfig -> mimir-config:
    @passthrough loki.limits_config -> loki-config:limits_config
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

ANY_KEY = "*"
LIST_ITEM = "[]"
ANY_BELOW = "**"
PASSTHROUGH = "@passthrough"

Segment = str | int
Path = tuple[Segment, ...]

_PLAIN = re.compile(r"[A-Za-z0-9_/-]+")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\[\]|\*\*|\*|[A-Za-z0-9_/-]+|\.')


def leaf_paths(tree: Any, prefix: Path = ()) -> Iterator[Path]:
    """Every leaf of a YAML tree: scalars, lists of scalars and empty maps or lists.

    Lists holding maps are walked with the item's position as the segment.
    """
    if isinstance(tree, Mapping) and tree:
        for key, value in tree.items():
            yield from leaf_paths(value, (*prefix, str(key)))
    elif isinstance(tree, list) and any(isinstance(item, Mapping | list) for item in tree):
        for position, item in enumerate(tree):
            yield from leaf_paths(item, (*prefix, position))
    else:
        yield prefix


def format_path(path: Iterable[Segment]) -> str:
    """Text form of a path or pattern (list positions print as "[]")."""
    text = ""
    for segment in path:
        if isinstance(segment, int) or segment == LIST_ITEM:
            text += LIST_ITEM
            continue
        if segment in (ANY_KEY, ANY_BELOW) or _PLAIN.fullmatch(segment):
            part = segment
        else:
            part = json.dumps(segment)
        text += f".{part}" if text else part
    return text


def display_path(path: Iterable[Segment]) -> str:
    """A path for messages: like format_path, but with the list positions kept."""
    text = ""
    for segment in path:
        if isinstance(segment, int):
            text += f"[{segment}]"
        else:
            part = segment if _PLAIN.fullmatch(segment) else json.dumps(segment)
            text += f".{part}" if text else part
    return text


def parse_pattern(text: str) -> tuple[str, ...]:
    """Inverse of format_path for patterns ("*", "[]" and "**" stay as themselves)."""
    segments: list[str] = []
    position = 0
    expect_key = True
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ValueError(f"bad key pattern {text!r} at column {position + 1}")
        token = match.group(0)
        position = match.end()
        if token == ".":
            if expect_key:
                raise ValueError(f"bad key pattern {text!r}: empty segment")
            expect_key = True
            continue
        if token == LIST_ITEM:
            segments.append(LIST_ITEM)
            expect_key = False
            continue
        if not expect_key:
            raise ValueError(f"bad key pattern {text!r}: missing '.' before {token!r}")
        segments.append(json.loads(token) if token.startswith('"') else token)
        expect_key = False
    if expect_key and segments:
        raise ValueError(f"bad key pattern {text!r}: ends with '.'")
    return tuple(segments)


@dataclass(frozen=True)
class Passthrough:
    """A chart subtree that the chart's template copies into the application config."""

    chart_path: tuple[str, ...]
    reference: str
    target_path: tuple[str, ...]

    def to_line(self) -> str:
        return (
            f"{PASSTHROUGH} {format_path(self.chart_path)} -> "
            f"{self.reference}:{format_path(self.target_path)}"
        )


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    open_below: bool = False


@dataclass
class Allowlist:
    """A set of valid key patterns, matched as a trie."""

    name: str
    patterns: frozenset[tuple[str, ...]]
    passthroughs: tuple[Passthrough, ...] = ()
    header: tuple[str, ...] = ()
    _root: _Node = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._root = _Node()
        for pattern in self.patterns:
            node = self._root
            for segment in pattern:
                if segment == ANY_BELOW:
                    node.open_below = True
                    break
                node = node.children.setdefault(segment, _Node())

    def allows(self, path: Iterable[Segment]) -> bool:
        """True when the path is a pattern, a prefix of one, or lies under a "**"."""
        segments = [LIST_ITEM if isinstance(s, int) else s for s in path]
        return _matches(self._root, segments, 0)

    def names(self, path: Iterable[Segment]) -> bool:
        """True when the path is one of the patterns word for word (no wildcard involved)."""
        return tuple(LIST_ITEM if isinstance(s, int) else s for s in path) in self.patterns

    def passthrough_for(self, path: Path) -> tuple[Passthrough, Path] | None:
        """The longest passthrough enclosing the path, and the path's rest below it."""
        best: tuple[Passthrough, Path] | None = None
        for passthrough in self.passthroughs:
            size = len(passthrough.chart_path)
            if len(path) < size or not _prefix_matches(passthrough.chart_path, path[:size]):
                continue
            if best is None or size > len(best[0].chart_path):
                best = (passthrough, path[size:])
        return best

    def to_text(self) -> str:
        lines = [f"# {line}" if line else "#" for line in self.header]
        lines += sorted(p.to_line() for p in self.passthroughs)
        lines += sorted(format_path(p) for p in self.patterns)
        return "\n".join(lines) + "\n"

    @classmethod
    def from_text(cls, name: str, text: str) -> Allowlist:
        patterns: set[tuple[str, ...]] = set()
        passthroughs: list[Passthrough] = []
        header: list[str] = []
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            if line.startswith("#"):
                header.append(line[1:].strip())
                continue
            try:
                if line.startswith(PASSTHROUGH):
                    source, _, target = line[len(PASSTHROUGH) :].partition("->")
                    reference, _, target_path = target.strip().partition(":")
                    passthroughs.append(
                        Passthrough(
                            parse_pattern(source.strip()),
                            reference,
                            parse_pattern(target_path) if target_path else (),
                        )
                    )
                else:
                    patterns.add(parse_pattern(line))
            except ValueError as error:
                raise ValueError(f"{name}, line {number}: {error}") from error
        return cls(name, frozenset(patterns), tuple(passthroughs), tuple(header))


def _matches(node: _Node, segments: list[str], index: int) -> bool:
    if node.open_below:
        return True
    if index == len(segments):
        return True
    segment = segments[index]
    candidates = [node.children.get(segment)]
    if segment != LIST_ITEM:
        candidates.append(node.children.get(ANY_KEY))
    return any(child is not None and _matches(child, segments, index + 1) for child in candidates)


def _prefix_matches(pattern: tuple[str, ...], path: Path) -> bool:
    for want, have in zip(pattern, path, strict=True):
        if want == LIST_ITEM:
            if not isinstance(have, int):
                return False
        elif want != ANY_KEY and want != have:
            return False
    return True


def unknown_keys(
    tree: Mapping[str, Any],
    allowlist: Allowlist,
    references: Mapping[str, Allowlist],
    root: Path = (),
) -> list[str]:
    """Leaf paths of `tree` (placed at `root` of the allowlist) that no upstream reference knows.

    A path under a passthrough of the allowlist is checked against the referenced allowlist,
    unless the chart's own files name it word for word (a preset such as Mimir's
    classic-architecture.yaml may set keys of the chart's config template).
    """
    problems: list[str] = []
    for leaf in leaf_paths(tree, root):
        found = allowlist.passthrough_for(leaf)
        if found is None:
            if not allowlist.allows(leaf):
                problems.append(f"{allowlist.name}: {display_path(leaf)}")
            continue
        passthrough, rest = found
        reference = references.get(passthrough.reference)
        if reference is None:
            missing = f"reference {passthrough.reference} missing"
            problems.append(f"{allowlist.name}: {display_path(leaf)} ({missing})")
            continue
        target = (*passthrough.target_path, *rest)
        if not reference.allows(target) and not allowlist.names(leaf):
            problems.append(
                f"{allowlist.name}: {display_path(leaf)} "
                f"(not in {reference.name} as {display_path(target)})"
            )
    return problems
