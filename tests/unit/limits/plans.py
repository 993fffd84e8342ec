"""Small plan documents for the limits checks: only what `terraform show -json PLANFILE` would
hold for the resources under test (planned values, root inputs, prior state)."""

from __future__ import annotations

import json
from typing import Any

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "S",
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
GRANT = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "S", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}


def sized(base: dict[str, Any], size: int, *, indent: int | None = 2) -> str:
    """A policy of exactly `size` characters without white space, written with white space."""
    compact = json.dumps(base, separators=(",", ":"))
    padded = json.loads(compact)
    padded["Statement"][0]["Sid"] = "S" + "A" * (size - len(compact))
    text = json.dumps(padded, indent=indent, separators=None if indent else (",", ":"))
    assert len("".join(text.split())) == size
    return text


def resource(type_name: str, label: str = "this", index: Any = None, **values: Any) -> dict:
    """A planned resource `type_name.label[index]` with attribute `values`."""
    suffix = "" if index is None else f"[{json.dumps(index)}]"
    return {
        "address": f"{type_name}.{label}{suffix}",
        "mode": "managed",
        "type": type_name,
        "name": label,
        "index": index,
        "values": values,
    }


def plan(*resources: dict, variables: dict[str, Any] | None = None, prior: list[dict] = ()) -> dict:  # type: ignore[assignment]
    return {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": list(resources)}},
        "variables": {name: {"value": value} for name, value in (variables or {}).items()},
        "prior_state": {"values": {"root_module": {"resources": list(prior)}}},
        "configuration": {"root_module": {"resources": []}},
    }


def tags(count: int, prefix: str = "team") -> dict[str, str]:
    return {f"{prefix}-{i}": "x" for i in range(count)}
