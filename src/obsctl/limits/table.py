"""The table of AWS limits (table.yaml beside this file), read once into typed rows.

Each row says what AWS limits, by how much, how AWS counts it, the page that says so and what
AWS answers when it is broken. The plan check, the local AWS and docs/limits.md all take their
numbers from here. Rows marked `quota` are Service Quotas defaults an account can raise: on the
aws target `OBSCTL_AWS_QUOTAS="iam.role.trust_policy=4096"` sets the raised value; the local AWS
is an account with the defaults.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from obsctl.errors import UsageError

QUOTAS_ENV = "OBSCTL_AWS_QUOTAS"


@dataclass(frozen=True)
class Source:
    url: str
    quote: str


@dataclass(frozen=True)
class AwsError:
    """What AWS answers; `seen` says how the answer is known (documented, observed in public
    reports, the API model's validation text, S3-compatible emulators, or the local AWS's own
    wording where AWS documents only the number)."""

    code: str
    message: str
    seen: str


@dataclass(frozen=True)
class Limit:
    id: str
    title: str
    limit: Any  # a number, or a mapping of named numbers and patterns, or a sentence
    counted: str
    source: Source
    aws_error: AwsError
    inputs: tuple[str, ...]
    plan: str
    terraform: str
    local_aws: str
    note: str = ""
    quota: bool = False

    def value(self, key: str | None = None) -> Any:
        """The number (or pattern) of the row, or of its named part `key`."""
        if key is None:
            if isinstance(self.limit, Mapping):
                raise KeyError(f"{self.id} has several values: {sorted(self.limit)}")
            return self.limit
        if not isinstance(self.limit, Mapping) or key not in self.limit:
            raise KeyError(f"{self.id} has no value {key!r}")
        return self.limit[key]


@dataclass(frozen=True)
class Table:
    rows: tuple[Limit, ...]

    def __iter__(self) -> Iterator[Limit]:
        return iter(self.rows)

    def __getitem__(self, row_id: str) -> Limit:
        for row in self.rows:
            if row.id == row_id:
                return row
        raise KeyError(row_id)

    def ids(self) -> list[str]:
        return [row.id for row in self.rows]


def _row(raw: Mapping[str, Any]) -> Limit:
    error = raw.get("aws_error") or {}
    return Limit(
        id=str(raw["id"]),
        title=str(raw["title"]),
        limit=raw["limit"],
        counted=str(raw["counted"]),
        source=Source(url=str(raw["source"]["url"]), quote=str(raw["source"]["quote"])),
        aws_error=AwsError(
            code=str(error.get("code") or ""),
            message=str(error.get("message") or ""),
            seen=str(error.get("seen") or ""),
        ),
        inputs=tuple(raw.get("inputs") or ()),
        plan=str(raw.get("plan") or ""),
        terraform=str(raw.get("terraform") or ""),
        local_aws=str(raw.get("local_aws") or ""),
        note=str(raw.get("note") or "").strip(),
        quota=bool(raw.get("quota", False)),
    )


@cache
def table() -> Table:
    """The rows of table.yaml, shipped with the package."""
    text = resources.files("obsctl.limits").joinpath("table.yaml").read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    return Table(rows=tuple(_row(raw) for raw in document["rows"]))


@dataclass(frozen=True)
class Quotas:
    """The quota values in force: the table's defaults, raised where the account says so."""

    raised: Mapping[str, int]

    def value(self, row: Limit) -> int:
        return int(self.raised.get(row.id, row.value()))

    @classmethod
    def defaults(cls) -> Quotas:
        return cls(raised={})

    @classmethod
    def for_target(cls, target: str, environ: Mapping[str, str] | None = None) -> Quotas:
        """The defaults on the local AWS; on the aws target, $OBSCTL_AWS_QUOTAS raises them."""
        if target != "aws":
            return cls.defaults()
        return cls(raised=parse_quotas((environ or os.environ).get(QUOTAS_ENV, "")))


def parse_quotas(text: str) -> dict[str, int]:
    """`iam.role.trust_policy=4096,dynamodb.table.gsi=25` -> {id: value}; a UsageError names a
    row that is not a quota or a value that is not a number at least the default."""
    raised: dict[str, int] = {}
    quotas = {row.id: row for row in table() if row.quota}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, _, number = item.partition("=")
        row = quotas.get(name.strip())
        if row is None:
            raise UsageError(
                f"{QUOTAS_ENV} names {name.strip()!r}, which is not an adjustable AWS quota "
                f"(these are: {', '.join(sorted(quotas))})."
            )
        try:
            value = int(number)
        except ValueError:
            value = -1
        if value < int(row.value()):
            raise UsageError(
                f"{QUOTAS_ENV} sets {row.id} to {number.strip()!r}: give a whole number of at "
                f"least AWS's default, {row.value()}."
            )
        raised[row.id] = value
    return raised
