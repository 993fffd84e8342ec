"""A small IAM policy evaluator, exact for what identity policies of this stack use.

It answers two questions about a set of statements, an action and a *resource space* (an ARN,
possibly with wildcards, such as `arn:aws:s3:::bucket/*` for every object of a bucket):

- `may_allow`: could the action be allowed on at least one resource of the space? (Used to prove
  there is no cross-app access: a conditional Allow counts as allowing, a conditional Deny does not
  count as denying, so the answer errs towards "access exists".)
- `guaranteed`: is the action allowed on every resource of the space, whatever the request
  context? (Used to prove an app has what it needs: only unconditional Allows count, and any Deny
  that may touch the space counts against it.)

Semantics follow IAM: an explicit Deny overrides any Allow; Action/NotAction and
Resource/NotResource; `*` and `?` wildcards in both; actions match case-insensitively, ARNs
case-sensitively. Wildcard sets are compared exactly for one pattern against another
(`intersects`, `covers`); a space split across several Deny statements is treated as not denied.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any


def _text(value: str, ignore_case: bool) -> str:
    return value.lower() if ignore_case else value


@lru_cache(maxsize=65536)
def glob_match(pattern: str, text: str, ignore_case: bool = False) -> bool:
    """Does the IAM wildcard `pattern` (`*` any run, `?` one character) match `text`?"""
    p, t = _text(pattern, ignore_case), _text(text, ignore_case)
    i = j = 0
    star, mark = -1, 0
    while j < len(t):
        if i < len(p) and (p[i] == "?" or (p[i] != "*" and p[i] == t[j])):
            i, j = i + 1, j + 1
        elif i < len(p) and p[i] == "*":
            star, mark = i, j
            i += 1
        elif star >= 0:
            i, mark = star + 1, mark + 1
            j = mark
        else:
            return False
    while i < len(p) and p[i] == "*":
        i += 1
    return i == len(p)


@lru_cache(maxsize=65536)
def intersects(a: str, b: str, ignore_case: bool = False) -> bool:
    """Is there a string both wildcard patterns match?"""
    a, b = _text(a, ignore_case), _text(b, ignore_case)
    seen: set[tuple[int, int]] = set()
    todo = [(0, 0)]
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i] == "*":
            todo.append((i + 1, j))  # a's star matches nothing more
            if j < len(b):
                todo.append((i, j + 1))  # a's star absorbs what b's next token produces
        if j < len(b) and b[j] == "*":
            todo.append((i, j + 1))
            if i < len(a):
                todo.append((i + 1, j))
        both_chars = i < len(a) and j < len(b) and a[i] != "*" and b[j] != "*"
        if both_chars and (a[i] == "?" or b[j] == "?" or a[i] == b[j]):
            todo.append((i + 1, j + 1))
    return False


@lru_cache(maxsize=65536)
def covers(outer: str, inner: str, ignore_case: bool = False) -> bool:
    """Does `outer` match every string `inner` matches? (Sound; exact for our ARN shapes.)"""
    o, n = _text(outer, ignore_case), _text(inner, ignore_case)
    seen: set[tuple[int, int]] = set()
    todo = [(0, 0)]
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(o) and j == len(n):
            return True
        if i < len(o) and o[i] == "*":
            todo.append((i + 1, j))
            if j < len(n):
                todo.append((i, j + 1))  # outer's star can stand for any token of inner
        elif i < len(o) and j < len(n):
            one_char = o[i] == "?" and n[j] != "*"  # `?` stands for any one character
            same_char = o[i] == n[j] and n[j] not in "*?"
            if one_char or same_char:
                todo.append((i + 1, j + 1))
    return False


def _strings(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    return tuple(str(item) for item in value)


@dataclass(frozen=True)
class Statement:
    """One statement of a permission policy, normalised."""

    effect: str
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    conditioned: bool
    sid: str = ""
    source: str = ""  # which policy it comes from, for messages

    @property
    def where(self) -> str:
        return f"{self.source}, statement {self.sid}" if self.sid else self.source

    def matches_action(self, action: str) -> bool:
        if self.actions is not None:
            return any(glob_match(p, action, ignore_case=True) for p in self.actions)
        return not any(glob_match(p, action, ignore_case=True) for p in self.not_actions or ())

    def may_touch(self, space: str) -> bool:
        """Is some resource of `space` within this statement's resources?"""
        if self.resources is not None:
            return any(intersects(p, space) for p in self.resources)
        return not any(covers(p, space) for p in self.not_resources or ())

    def covers_space(self, space: str) -> bool:
        """Is every resource of `space` within this statement's resources?"""
        if self.resources is not None:
            return any(covers(p, space) for p in self.resources)
        return not any(intersects(p, space) for p in self.not_resources or ())

    def regions(self, space: str) -> list[str]:
        """The parts of `space` this statement reaches, as patterns (the space itself when the
        overlap is not a single pattern)."""
        if self.resources is None:
            return [space] if self.may_touch(space) else []
        found = []
        for pattern in self.resources:
            if not intersects(pattern, space):
                continue
            found.append(pattern if covers(space, pattern) else space)
        return found


def parse(document: dict[str, Any], source: str = "") -> list[Statement]:
    """The statements of a policy document (a single statement object is accepted too)."""
    raw = document.get("Statement", [])
    if isinstance(raw, dict):
        raw = [raw]
    statements = []
    for item in raw:
        actions, not_actions = _strings(item.get("Action")), _strings(item.get("NotAction"))
        resources, not_resources = _strings(item.get("Resource")), _strings(item.get("NotResource"))
        if actions is None and not_actions is None:
            actions = ()
        if resources is None and not_resources is None:
            resources = ("*",)
        statements.append(
            Statement(
                effect=str(item.get("Effect", "")),
                actions=actions,
                not_actions=not_actions,
                resources=resources,
                not_resources=not_resources,
                conditioned=bool(item.get("Condition")),
                sid=str(item.get("Sid", "")),
                source=source,
            )
        )
    return statements


def may_allow(statements: list[Statement], action: str, space: str) -> Statement | None:
    """The Allow statement through which `action` may reach part of `space`, or None."""
    denies = [
        s
        for s in statements
        if s.effect == "Deny" and not s.conditioned and s.matches_action(action)
    ]
    for statement in statements:
        if statement.effect != "Allow" or not statement.matches_action(action):
            continue
        for region in statement.regions(space):
            if not any(deny.covers_space(region) for deny in denies):
                return statement
    return None


def guaranteed(statements: list[Statement], action: str, space: str) -> Statement | None:
    """The unconditional Allow granting `action` on all of `space` with no Deny in the way."""
    for statement in statements:
        denies = statement.effect == "Deny" and statement.matches_action(action)
        if denies and statement.may_touch(space):
            return None
    for statement in statements:
        if (
            statement.effect == "Allow"
            and not statement.conditioned
            and statement.matches_action(action)
            and statement.covers_space(space)
        ):
            return statement
    return None


@dataclass(frozen=True)
class Principal:
    """A role's effective permissions: its identity policies, cut by its boundary if it has one."""

    identity: list[Statement]
    boundary: list[Statement] | None = None

    def may_allow(self, action: str, space: str) -> Statement | None:
        grant = may_allow(self.identity, action, space)
        if grant is None or (
            self.boundary is not None and not may_allow(self.boundary, action, space)
        ):
            return None
        return grant

    def guaranteed(self, action: str, space: str) -> Statement | None:
        grant = guaranteed(self.identity, action, space)
        if grant is None or (
            self.boundary is not None and not guaranteed(self.boundary, action, space)
        ):
            return None
        return grant
