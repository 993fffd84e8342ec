"""The app config as the app will read it names the live buckets, the region, the bucket's KMS
key and the env's retention. Each value is looked up where the app looks it up: a store's own
section first, then the `common` block it falls back to."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from obsctl.model.contract import StackContract
from obsctl.values.conformance.findings import Finding
from obsctl.values.naming import lookup

CHECK = "storage"
_DURATION = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}

Lookup = Callable[..., Any]


def duration_hours(value: Any) -> float | None:
    """A Prometheus-style duration ("744h", "31d", "1h30m") in hours; None if it is not one."""
    text = str(value)
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(int(number) * _SECONDS[unit] for number, unit in parts) / 3600


class _Report:
    def __init__(self, app: str, source: str) -> None:
        self.app, self.source, self.findings = app, source, list[Finding]()

    def expect(self, what: str, path: str, found: Any, wanted: Any) -> None:
        if found != wanted:
            shown = "missing" if found is None else f"{found}"
            self.findings.append(
                Finding(
                    self.app, CHECK, f"{self.source} {path} is {shown}, not the {what} {wanted}."
                )
            )

    def retention(self, path: str, found: Any, days: int | None) -> None:
        if days is not None and duration_hours(found) != days * 24:
            self.findings.append(
                Finding(
                    self.app,
                    CHECK,
                    f"{self.source} {path} is {found if found is not None else 'missing'}, not "
                    f"the env's {days}-day retention ({days * 24}h).",
                )
            )


def _s3_store(
    report: _Report,
    contract: StackContract,
    value: Lookup,
    section: str,
    bucket_key: str,
    store: str,
) -> None:
    """One store's bucket, region and SSE-KMS key, through `value(section, key...)`."""
    bucket = contract.buckets[report.app][store].name
    report.expect(f"live {store} bucket", f"{section}.s3.{bucket_key}", value(bucket_key), bucket)
    report.expect("stack's region", f"{section}.s3.region", value("region"), contract.region)
    key = contract.kms_keys.get(report.app)
    sse_type, key_id = value("sse", "type"), value("sse", "kms_key_id")
    if key is not None:
        report.expect("encryption", f"{section}.s3.sse.type", sse_type, "SSE-KMS")
        report.expect(f"{report.app} bucket key", f"{section}.s3.sse.kms_key_id", key_id, key.arn)
    elif key_id is not None:
        report.findings.append(
            Finding(
                report.app,
                CHECK,
                f"{report.source} {section}.s3.sse.kms_key_id names {key_id}, but the stack "
                f"gives the {report.app} buckets no KMS key.",
            )
        )


def _mimir(report: _Report, contract: StackContract, config: Mapping[str, Any]) -> None:
    for store in ("blocks", "ruler", "alertmanager"):
        section = f"{store}_storage"

        def value(*path: str, section: str = section) -> Any:
            own = lookup(config, section, "s3", *path)
            return own if own is not None else lookup(config, "common", "storage", "s3", *path)

        backend = lookup(config, section, "backend")
        if backend is None:
            backend = lookup(config, "common", "storage", "backend")
        report.expect("backend", f"{section}.backend", backend, "s3")
        _s3_store(report, contract, value, section, "bucket_name", store)
    report.retention(
        "limits.compactor_blocks_retention_period",
        lookup(config, "limits", "compactor_blocks_retention_period"),
        _retention(contract, "mimir"),
    )


def _loki(report: _Report, contract: StackContract, config: Mapping[str, Any]) -> None:
    def chunks(*path: str) -> Any:
        return lookup(config, "common", "storage", "s3", *path)

    def ruler(*path: str) -> Any:
        return lookup(config, "ruler", "storage", "s3", *path)

    _s3_store(report, contract, chunks, "common.storage", "bucketnames", "chunks")
    report.expect(
        "ruler backend", "ruler.storage.type", lookup(config, "ruler", "storage", "type"), "s3"
    )
    _s3_store(report, contract, ruler, "ruler.storage", "bucketnames", "ruler")
    periods = lookup(config, "schema_config", "configs", default=[])
    latest = periods[-1] if isinstance(periods, list) and periods else {}
    store = latest.get("object_store") if isinstance(latest, Mapping) else None
    report.expect("object store", "schema_config.configs[-1].object_store", store, "s3")
    report.expect(
        "setting",
        "compactor.retention_enabled",
        lookup(config, "compactor", "retention_enabled"),
        True,
    )
    report.retention(
        "limits_config.retention_period",
        lookup(config, "limits_config", "retention_period"),
        _retention(contract, "loki"),
    )


def _tempo(report: _Report, contract: StackContract, config: Mapping[str, Any]) -> None:
    def trace(*path: str) -> Any:
        return lookup(config, "storage", "trace", "s3", *path)

    backend = lookup(config, "storage", "trace", "backend")
    report.expect("backend", "storage.trace.backend", backend, "s3")
    _s3_store(report, contract, trace, "storage.trace", "bucket", "traces")
    days = _retention(contract, "tempo")
    if "backend_worker" in config or "compactor" not in config:  # Tempo 3
        path = ("backend_worker", "compaction", "block_retention")
    else:  # Tempo 2 (the monolithic chart)
        path = ("compactor", "compaction", "block_retention")
    report.retention(".".join(path), lookup(config, *path), days)


def _retention(contract: StackContract, app: str) -> int | None:
    value = (contract.settings.get("retention_days") or {}).get(app)
    return value if isinstance(value, int) else None


_APPS = {"mimir": _mimir, "loki": _loki, "tempo": _tempo}


def storage_findings(
    contract: StackContract, app: str, config: Mapping[str, Any] | None, source: str
) -> list[Finding]:
    """Check one app's config (`source` names it in messages, e.g. "mimir.yaml")."""
    if app not in _APPS or not contract.buckets.get(app):
        return []
    if config is None:
        return [Finding(app, CHECK, f"the render holds no {source}, the {app} configuration.")]
    report = _Report(app, source)
    _APPS[app](report, contract, config)
    return report.findings
