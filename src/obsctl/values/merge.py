"""Deep merge of values trees, the way Helm layers `-f` files: maps merge key by key, anything
else (lists, scalars, null) replaces what was there."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any


def deep_merge(base: Mapping[str, Any], *overlays: Mapping[str, Any]) -> dict[str, Any]:
    """A new tree: `base` with each overlay merged over it in order. Inputs are not modified;
    keys keep their first position, new keys are appended in the overlay's order."""
    merged: dict[str, Any] = copy.deepcopy(dict(base))
    for overlay in overlays:
        _merge_into(merged, overlay)
    return merged


def _merge_into(target: dict[str, Any], overlay: Mapping[str, Any]) -> None:
    for key, value in overlay.items():
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            _merge_into(current, value)
        else:
            target[key] = copy.deepcopy(value)
