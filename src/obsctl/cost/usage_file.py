"""Reading usage: a usage file or a preset -> a validated `Usage`, or one clear sentence.

A usage file is YAML. It may start from a named preset (`preset: medium`, presets.yaml beside
this module) and override any field; `build` checks every field against its `spec()` (type,
bounds, known names, with a suggestion for a misspelt one).
"""

from __future__ import annotations

import difflib
import math
import typing
from collections.abc import Mapping
from dataclasses import MISSING, fields, is_dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from obsctl.cost.usage import Usage
from obsctl.errors import UsageError

USAGE_VERSION = 1
PRESET_FILE = "presets.yaml"


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _scalar(value: Any, hint: Any, meta: Mapping[str, Any], where: str, origin: str) -> Any:
    args = typing.get_args(hint)
    nullable = type(None) in args
    base = next((arg for arg in args if arg is not type(None)), hint) if args else hint
    if value is None:
        if nullable:
            return None
        raise UsageError(f"{origin}: {where} cannot be null.")
    if base is str:
        if not isinstance(value, str):
            raise UsageError(f"{origin}: {where} must be a string, got {_describe(value)}.")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UsageError(f"{origin}: {where} must be a number, got {_describe(value)}.")
    if not math.isfinite(value):
        raise UsageError(f"{origin}: {where} must be a finite number, got {_describe(value)}.")
    if base is int and value != int(value):
        raise UsageError(f"{origin}: {where} must be a whole number, got {_describe(value)}.")
    minimum, maximum = meta.get("minimum", 0.0), meta.get("maximum")
    if meta.get("above") and not value > minimum:
        raise UsageError(f"{origin}: {where} must be greater than {minimum:g}, got {value!r}.")
    if value < minimum:
        raise UsageError(f"{origin}: {where} must be at least {minimum:g}, got {value!r}.")
    if maximum is not None and value > maximum:
        raise UsageError(f"{origin}: {where} must be at most {maximum:g}, got {value!r}.")
    return int(value) if base is int else float(value)


def build(cls: type[Any], raw: Any, origin: str, path: str = "") -> Any:
    """An instance of the dataclass `cls` from a mapping, or a UsageError naming the field."""
    if raw is None:
        raw = {}
    label = path or "the top level"
    if not isinstance(raw, Mapping):
        raise UsageError(f"{origin}: {label} must be a mapping of fields, got {_describe(raw)}.")
    hints = typing.get_type_hints(cls)
    known = {item.name: item for item in fields(cls) if item.name != "name"}
    for key in raw:
        if key not in known:
            where = f"{path}.{key}" if path else str(key)
            close = difflib.get_close_matches(str(key), list(known), n=1)
            suggestion = f" (did you mean {close[0]}?)" if close else ""
            raise UsageError(f"{origin}: unknown field {where}{suggestion}.")
    values = {}
    for key, value in raw.items():
        where = f"{path}.{key}" if path else str(key)
        hint = hints[key]
        if is_dataclass(hint):
            values[key] = build(hint, value, origin, where)  # type: ignore[arg-type]
        else:
            values[key] = _scalar(value, hint, known[key].metadata, where, origin)
    return cls(**values)


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=1)
def _preset_mappings() -> dict[str, dict[str, Any]]:
    text = resources.files("obsctl.cost").joinpath(PRESET_FILE).read_text(encoding="utf-8")
    raw = yaml.load(text, Loader=_Loader)
    return {str(name): dict(body or {}) for name, body in raw["presets"].items()}


def preset_names() -> tuple[str, ...]:
    return tuple(_preset_mappings())


def preset_mapping(name: str) -> dict[str, Any]:
    presets = _preset_mappings()
    if name not in presets:
        raise UsageError(f"Unknown usage preset {name!r}; the presets are {', '.join(presets)}.")
    return presets[name]


def preset(name: str) -> Usage:
    """A named reference workload (presets.yaml)."""
    usage = build(Usage, preset_mapping(name), f"preset {name}")
    return replace(usage, name=f"preset {name}")


def usage_from_mapping(raw: Any, origin: str) -> Usage:
    """A usage file's content: optional `version` and `preset`, then overrides."""
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise UsageError(f"{origin}: the usage file must be a YAML mapping, got {_describe(raw)}.")
    body = dict(raw)
    version = body.pop("version", USAGE_VERSION)
    if version != USAGE_VERSION:
        raise UsageError(f"{origin}: version must be {USAGE_VERSION}, got {_describe(version)}.")
    base_name = body.pop("preset", None)
    base: dict[str, Any] = {}
    if base_name is not None:
        if not isinstance(base_name, str):
            raise UsageError(f"{origin}: preset must be a preset name, got {_describe(base_name)}.")
        try:
            base = preset_mapping(base_name)
        except UsageError as error:
            raise UsageError(f"{origin}: {error.message}") from error
    build(Usage, body, origin)  # report the file's own mistakes against its own fields
    usage = build(Usage, _merge(base, body), origin)
    label = f"{origin} (preset {base_name})" if base_name else origin
    return replace(usage, name=label)


def load_usage(path: Path) -> Usage:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise UsageError(f"The usage file {path} does not exist.") from error
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"The usage file {path} cannot be read ({error}).") from error
    try:
        raw = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise UsageError(f"The usage file {path} is not valid YAML{where}.") from error
    return usage_from_mapping(raw, str(path))


def field_docs(cls: type[Any]) -> list[tuple[str, Any, str, str, str]]:
    """(name, default, unit, doc, source) of every documented field of a usage section."""
    rows = []
    for item in fields(cls):
        if "doc" not in item.metadata:
            continue
        default = item.default if item.default is not MISSING else None
        rows.append(
            (
                item.name,
                default,
                item.metadata["unit"],
                item.metadata["doc"],
                item.metadata["source"],
            )
        )
    return rows
