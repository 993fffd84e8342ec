"""What Terraform records about the holder of a state lock, read from its error or lock file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

LOCK_SUMMARY = "Error acquiring the state lock"
_LOCK_FIELD = re.compile(r"^\s*(ID|Path|Operation|Who|Version|Created|Info):[ \t]*(.*)$", re.M)


@dataclass(frozen=True)
class LockInfo:
    """A Terraform state lock as Terraform records it (the JSON of a `.tflock` object)."""

    id: str
    operation: str = ""
    who: str = ""
    created: str = ""
    path: str = ""
    version: str = ""
    info: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LockInfo:
        return cls(
            id=str(data.get("ID", "")),
            operation=str(data.get("Operation", "")),
            who=str(data.get("Who", "")),
            created=str(data.get("Created", "")),
            path=str(data.get("Path", "")),
            version=str(data.get("Version", "")),
            info=str(data.get("Info", "")),
        )

    @classmethod
    def from_text(cls, text: str) -> LockInfo | None:
        """The "Lock Info:" block of Terraform's "Error acquiring the state lock" message."""
        _, marker, block = text.partition("Lock Info:")
        if not marker:
            return None
        fields = {name: value.strip() for name, value in _LOCK_FIELD.findall(block)}
        if not fields.get("ID"):
            return None
        return cls.from_json(fields)

    @property
    def user(self) -> str:
        return self.who.rpartition("@")[0] if "@" in self.who else self.who

    @property
    def host(self) -> str:
        return self.who.rpartition("@")[2] if "@" in self.who else ""

    @property
    def created_at(self) -> datetime | None:
        """`Created` as an aware datetime (Terraform writes RFC 3339 with nanoseconds)."""
        match = re.match(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)", self.created)
        if match is None:
            return None
        return datetime.fromisoformat(f"{match[1]}T{match[2]}+00:00")

    def describe(self) -> str:
        """`alice@laptop (apply, since 2026-11-26 04:46:23 UTC, lock ID 1fb3...)`."""
        details = []
        if self.operation:
            details.append(self.operation.removeprefix("OperationType").lower())
        created = self.created_at
        if created is not None:
            details.append(f"since {created:%Y-%m-%d %H:%M:%S} UTC")
        elif self.created:
            details.append(f"since {self.created}")
        details.append(f"lock ID {self.id}")
        return f"{self.who or 'an unknown holder'} ({', '.join(details)})"
