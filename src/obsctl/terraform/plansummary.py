"""What a plan will do, counted by action and resource type, from `terraform show -json`."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

ACTIONS = ("add", "change", "replace", "destroy")


_EVENT_ACTIONS = {"create": "add", "update": "change", "delete": "destroy", "replace": "replace"}


def _action(actions: list[str]) -> str | None:
    if actions == ["create"]:
        return "add"
    if actions == ["update"]:
        return "change"
    if actions == ["delete"]:
        return "destroy"
    if sorted(actions) == ["create", "delete"]:
        return "replace"
    return None  # no-op, read


@dataclass
class PlanSummary:
    by_type: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    addresses: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def from_plan(cls, plan: dict[str, Any]) -> PlanSummary:
        summary = cls()
        for change in plan.get("resource_changes", []):
            if change.get("mode") == "data":
                continue
            action = _action(change.get("change", {}).get("actions", []))
            if action is None:
                continue
            summary.by_type[change["type"]][action] += 1
            summary.addresses[action].append(change["address"])
        return summary

    @classmethod
    def from_events(cls, events: list[dict[str, Any]]) -> PlanSummary:
        """The same summary from `terraform plan -json` events (no `terraform show` needed)."""
        summary = cls()
        for event in events:
            if event.get("type") != "planned_change":
                continue
            change = event.get("change", {})
            action = _EVENT_ACTIONS.get(change.get("action", ""))
            resource = change.get("resource", {})
            if action is None or resource.get("mode", "managed") == "data":
                continue
            summary.by_type[resource.get("resource_type", "?")][action] += 1
            summary.addresses[action].append(resource.get("addr", "?"))
        return summary

    def count(self, action: str) -> int:
        return sum(counter[action] for counter in self.by_type.values())

    @property
    def total(self) -> int:
        """Resource operations an apply performs (a replacement is a delete and a create)."""
        return sum(self.count(a) for a in ACTIONS) + self.count("replace")

    @property
    def empty(self) -> bool:
        return not any(self.count(a) for a in ACTIONS)

    def headline(self) -> str:
        return ", ".join(f"{self.count(a)} to {a}" for a in ACTIONS)

    def table(self) -> str:
        if self.empty:
            return "No changes."
        rows = [("resource type", *ACTIONS)]
        for resource_type in sorted(self.by_type):
            counter = self.by_type[resource_type]
            rows.append((resource_type, *(str(counter[a] or "") for a in ACTIONS)))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = [
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows
        ]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": {a: self.count(a) for a in ACTIONS},
            "by_type": {t: dict(c) for t, c in sorted(self.by_type.items())},
            "addresses": {a: sorted(v) for a, v in self.addresses.items()},
        }
