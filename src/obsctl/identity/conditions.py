"""IAM condition operators, evaluated as IAM documents them, failing closed on the rest.

A condition block is `{operator: {key: value or [values]}}`. Operators AND together, the keys
of one operator AND together, the values of one key OR together, and a negated operator is
true when the request's value matches none of them [IAM-MULTI]. Key names compare without
case; values with case unless the operator says otherwise [IAM-OPS]. A key the request does
not carry makes a positive operator false and a negated one true; `...IfExists` makes it true,
and `Null` tests exactly that. `ForAnyValue:` and `ForAllValues:` compare a multi-valued key
value by value (`ForAllValues` is true for a missing key).

Each evaluation answers True, False or None: None means this module cannot tell (an operator
it does not know, a policy variable, a date) and callers fail closed on it, so an Allow it
cannot judge grants nothing and a Deny it cannot judge still denies.

[IAM-MULTI] https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
[IAM-OPS]   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

Context = Mapping[str, Sequence[str]]  # lower-cased key -> the request's values

_Match = Callable[[str, str], bool | None]  # (request value, policy value) -> matches?


@cache
def wildcard(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """IAM's wildcards: * any run of characters, ? exactly one; nothing else is special."""
    parts = ("." if char == "?" else ".*" if char == "*" else re.escape(char) for char in pattern)
    return re.compile("".join(parts), re.DOTALL | flags)


def _has_variable(value: str) -> bool:
    return "${" in value


def _string_equals(actual: str, expected: str) -> bool | None:
    return None if _has_variable(expected) else actual == expected


def _string_equals_ignore_case(actual: str, expected: str) -> bool | None:
    return None if _has_variable(expected) else actual.lower() == expected.lower()


def _string_like(actual: str, expected: str) -> bool | None:
    return None if _has_variable(expected) else bool(wildcard(expected).fullmatch(actual))


def _arn_like(actual: str, expected: str) -> bool | None:
    """ArnEquals and ArnLike alike: the six colon-separated parts match one by one, each with
    wildcards (the resource part keeps any further colons)."""
    if _has_variable(expected):
        return None
    left, right = actual.split(":", 5), expected.split(":", 5)
    if len(left) != 6 or len(right) != 6:
        return False
    return all(wildcard(want).fullmatch(have) for have, want in zip(left, right, strict=True))


def _bool(actual: str, expected: str) -> bool | None:
    return None if _has_variable(expected) else actual.lower() == expected.lower()


def _numeric(compare: Callable[[float, float], bool]) -> _Match:
    def match(actual: str, expected: str) -> bool | None:
        try:
            return compare(float(actual), float(expected))
        except ValueError:
            return None

    return match


# operator -> (how one value matches, negated)
_OPERATORS: dict[str, tuple[_Match, bool]] = {
    "StringEquals": (_string_equals, False),
    "StringNotEquals": (_string_equals, True),
    "StringEqualsIgnoreCase": (_string_equals_ignore_case, False),
    "StringNotEqualsIgnoreCase": (_string_equals_ignore_case, True),
    "StringLike": (_string_like, False),
    "StringNotLike": (_string_like, True),
    "ArnEquals": (_arn_like, False),
    "ArnLike": (_arn_like, False),
    "ArnNotEquals": (_arn_like, True),
    "ArnNotLike": (_arn_like, True),
    "Bool": (_bool, False),
    "NumericEquals": (_numeric(lambda a, b: a == b), False),
    "NumericNotEquals": (_numeric(lambda a, b: a == b), True),
    "NumericLessThan": (_numeric(lambda a, b: a < b), False),
    "NumericLessThanEquals": (_numeric(lambda a, b: a <= b), False),
    "NumericGreaterThan": (_numeric(lambda a, b: a > b), False),
    "NumericGreaterThanEquals": (_numeric(lambda a, b: a >= b), False),
}
# Known, but not judged here when the request carries the key: dates and IP addresses.
_UNJUDGED = {
    "DateEquals": False,
    "DateNotEquals": True,
    "DateLessThan": False,
    "DateLessThanEquals": False,
    "DateGreaterThan": False,
    "DateGreaterThanEquals": False,
    "IpAddress": False,
    "NotIpAddress": True,
    "BinaryEquals": False,
}


def _values(raw: Any) -> list[str] | None:
    """A condition's values as strings (IAM accepts one value or a list); None if malformed."""
    items = raw if isinstance(raw, list) else [raw]
    if not all(isinstance(item, (str, int, float, bool)) for item in items):
        return None
    return [str(item).lower() if isinstance(item, bool) else str(item) for item in items]


def _and(results: Sequence[bool | None]) -> bool | None:
    if any(result is False for result in results):
        return False
    return None if any(result is None for result in results) else True


def _or(results: Sequence[bool | None]) -> bool | None:
    if any(result is True for result in results):
        return True
    return None if any(result is None for result in results) else False


def _one_value(match: _Match, negated: bool, actual: str, expected: list[str]) -> bool | None:
    """One request value against the policy's values: OR of matches, NOR when negated."""
    found = _or([match(actual, value) for value in expected])
    if negated and found is not None:
        return not found
    return found


def evaluate_operator(operator: str, block: Any, context: Context) -> bool | None:
    """One operator's block against the request context (keys of `context` lower-cased)."""
    qualifier, _, base = operator.rpartition(":")
    if qualifier not in ("", "ForAnyValue", "ForAllValues") or not isinstance(block, Mapping):
        return None
    if_exists = base.endswith("IfExists") and base != "IfExists"
    base = base.removesuffix("IfExists") if if_exists else base
    results: list[bool | None] = []
    for key, raw in block.items():
        expected = _values(raw)
        if expected is None:
            return None
        actual = context.get(str(key).lower())
        results.append(_key(base, qualifier, if_exists, expected, actual))
    return _and(results)


def _key(
    base: str,
    qualifier: str,
    if_exists: bool,
    expected: list[str],
    actual: Sequence[str] | None,
) -> bool | None:
    if base == "Null":
        if if_exists or qualifier or any(v.lower() not in ("true", "false") for v in expected):
            return None
        absent = not actual
        return _or([absent == (value.lower() == "true") for value in expected])
    known = _OPERATORS.get(base)
    negated = known[1] if known is not None else _UNJUDGED.get(base)
    if negated is None:
        return None  # an operator IAM may know and this module does not: fail closed
    if not actual:
        if if_exists:
            return True
        return qualifier == "ForAllValues" or (negated and not qualifier)
    if known is None:
        return None
    match = known[0]
    per_value = [_one_value(match, negated, value, expected) for value in actual]
    if qualifier == "ForAllValues":
        return _and(per_value)
    return _or(per_value)


def evaluate_conditions(conditions: Any, context: Context) -> bool | None:
    """A statement's whole Condition element (absent: true)."""
    if conditions is None:
        return True
    if not isinstance(conditions, Mapping):
        return None
    return _and([evaluate_operator(op, block, context) for op, block in conditions.items()])
