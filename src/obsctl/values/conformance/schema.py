"""The values against the chart's own `values.schema.json` (Loki's chart ships one), the way
Helm applies it: to the chart's defaults with the values merged over them."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from obsctl.values.conformance.findings import Finding

CHECK = "schema"
SCHEMA_FILE = "values.schema.json"
_MAX_REPORTED = 5


def coalesce(defaults: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """Helm's merge of user values over chart defaults: maps merge, null deletes the key,
    anything else replaces."""
    merged = copy.deepcopy(dict(defaults))
    for key, value in values.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = coalesce(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _path(error: jsonschema.ValidationError) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)[1:]


def schema_findings(app: str, chart_dir: Path, values: Mapping[str, Any]) -> list[Finding]:
    """[] when the chart ships no schema or the values satisfy it."""
    schema_path = chart_dir / SCHEMA_FILE
    if not schema_path.is_file():
        return []
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    defaults = yaml.safe_load((chart_dir / "values.yaml").read_text(encoding="utf-8")) or {}
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema)
    errors = sorted(validator.iter_errors(coalesce(defaults, values)), key=_path)
    findings = [
        Finding(app, CHECK, f"{_path(e) or 'the values'}: {e.message} ({SCHEMA_FILE}).")
        for e in errors[:_MAX_REPORTED]
    ]
    if len(errors) > _MAX_REPORTED:
        more = len(errors) - _MAX_REPORTED
        findings.append(Finding(app, CHECK, f"{more} more {SCHEMA_FILE} violations."))
    return findings
