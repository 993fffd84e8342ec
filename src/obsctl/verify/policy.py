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

Conditions are evaluated on the keys the caller's identity fixes (`Context`: its ARN, its
account): a condition on them is true or false; on any other key it is unknown, which counts
as "may apply" for an Allow and never proves a Deny. Policy variables (`${aws:PrincipalTag/x}`)
in a Resource are a wildcard for `may_allow` and never cover a space for `guaranteed`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

_VARIABLE = re.compile(r"\$\{[^}]*\}")
Context = Mapping[str, str]  # lowercased condition key -> the caller's value


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
    condition: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def holds(self, context: Context) -> bool | None:
        """Is the condition true for a caller with `context`? None: it depends on unknowns."""
        verdict: bool | None = True
        for operator, block in self.condition.items():
            for key, values in (block or {}).items():
                result = _condition(operator, context.get(key.lower()), _strings(values) or ())
                if result is False:
                    return False
                if result is None:
                    verdict = None
        return verdict

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
            return any(intersects(_widened(p), space) for p in self.resources)
        return not any(
            covers(p, space) for p in self.not_resources or () if not _VARIABLE.search(p)
        )

    def covers_space(self, space: str) -> bool:
        """Is every resource of `space` within this statement's resources?"""
        if self.resources is not None:
            return any(covers(p, space) for p in self.resources if not _VARIABLE.search(p))
        return not any(intersects(_widened(p), space) for p in self.not_resources or ())

    def regions(self, space: str) -> list[str]:
        """The parts of `space` this statement reaches, as patterns (the space itself when the
        overlap is not a single pattern)."""
        if self.resources is None:
            return [space] if self.may_touch(space) else []
        found = []
        for pattern in map(_widened, self.resources):
            if not intersects(pattern, space):
                continue
            found.append(pattern if covers(space, pattern) else space)
        return found


def _widened(pattern: str) -> str:
    """A resource pattern with each policy variable as `*` (any value it may take)."""
    return _VARIABLE.sub("*", pattern)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _compare(value: str, pattern: str, test: Any) -> bool:
    left, right = _number(value), _number(pattern)
    return left is not None and right is not None and bool(test(left, right))


_STRING_OPERATORS = {
    "bool": lambda v, p: v.lower() == p.lower(),
    "numericequals": lambda v, p: _compare(v, p, lambda a, b: a == b),
    "numericlessthan": lambda v, p: _compare(v, p, lambda a, b: a < b),
    "numericlessthanequals": lambda v, p: _compare(v, p, lambda a, b: a <= b),
    "numericgreaterthan": lambda v, p: _compare(v, p, lambda a, b: a > b),
    "numericgreaterthanequals": lambda v, p: _compare(v, p, lambda a, b: a >= b),
    "stringequals": lambda v, p: v == p,
    "stringequalsignorecase": lambda v, p: v.lower() == p.lower(),
    "stringlike": lambda v, p: glob_match(p, v),
    "arnequals": lambda v, p: v == p,
    "arnlike": lambda v, p: glob_match(p, v),
}


def _condition(operator: str, value: str | None, patterns: tuple[str, ...]) -> bool | None:
    """One condition operator on one key: True, False, or None when it cannot be known."""
    name = operator.lower()
    if ":" in name or value is None or any(_VARIABLE.search(p) for p in patterns):
        return None  # set operators, unknown keys and variables stay unknown
    name = name.removesuffix("ifexists")  # the keys of a Context always exist
    negated = "not" in name
    base = name.replace("not", "", 1) if negated else name
    test = _STRING_OPERATORS.get(base)
    if test is None:
        return None
    matched = any(test(value, pattern) for pattern in patterns)
    return not matched if negated else matched


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
        condition = item.get("Condition")
        statements.append(
            Statement(
                effect=str(item.get("Effect", "")),
                actions=actions,
                not_actions=not_actions,
                resources=resources,
                not_resources=not_resources,
                conditioned=bool(condition),
                sid=str(item.get("Sid", "")),
                source=source,
                condition=condition if isinstance(condition, dict) else {},
            )
        )
    return statements


def may_allow(
    statements: list[Statement], action: str, space: str, context: Context | None = None
) -> Statement | None:
    """The Allow statement through which `action` may reach part of `space`, or None."""
    context = context or {}
    denies = [
        s
        for s in statements
        if s.effect == "Deny" and s.matches_action(action) and s.holds(context) is True
    ]
    for statement in statements:
        if statement.effect != "Allow" or not statement.matches_action(action):
            continue
        if statement.holds(context) is False:
            continue
        for region in statement.regions(space):
            if not any(deny.covers_space(region) for deny in denies):
                return statement
    return None


def guaranteed(
    statements: list[Statement], action: str, space: str, context: Context | None = None
) -> Statement | None:
    """The Allow granting `action` on all of `space` whatever else the request carries, with
    no Deny that may be in the way."""
    context = context or {}
    for statement in statements:
        denies = statement.effect == "Deny" and statement.matches_action(action)
        if denies and statement.may_touch(space) and statement.holds(context) is not False:
            return None
    for statement in statements:
        if (
            statement.effect == "Allow"
            and statement.holds(context) is True
            and statement.matches_action(action)
            and statement.covers_space(space)
        ):
            return statement
    return None


@dataclass(frozen=True)
class Principal:
    """A role's effective permissions on one resource: its identity policies, cut by its
    boundary if it has one, together with what the resource's own policy (and grants) allow
    or deny the role. In one account either side's Allow is enough and either side's Deny
    wins; the boundary cuts the identity side (and a resource policy naming the role's ARN).
    """

    identity: list[Statement]
    boundary: list[Statement] | None = None
    resource: list[Statement] = field(default_factory=list)
    context: Mapping[str, str] = field(default_factory=dict)

    def on(self, resource: list[Statement]) -> Principal:
        return Principal(self.identity, self.boundary, resource, self.context)

    def _within_boundary(self, action: str, space: str, guarantee: bool) -> bool:
        if self.boundary is None:
            return True
        test = guaranteed if guarantee else may_allow
        return test(self.boundary, action, space, self.context) is not None

    def may_allow(self, action: str, space: str) -> Statement | None:
        denies = [s for s in self.resource if s.effect == "Deny"]
        grant = may_allow(self.identity + denies, action, space, self.context) or may_allow(
            self.resource + [s for s in self.identity if s.effect == "Deny"],
            action,
            space,
            self.context,
        )
        if grant is None or not self._within_boundary(action, space, guarantee=False):
            return None
        return grant

    def guaranteed(self, action: str, space: str) -> Statement | None:
        grant = guaranteed(self.identity + self.resource, action, space, self.context)
        if grant is None or not self._within_boundary(action, space, guarantee=True):
            return None
        return grant
