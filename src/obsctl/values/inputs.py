"""What one chart needs from the stack contract and the options, gathered in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from obsctl.model.contract import ContractError, Role, StackContract
from obsctl.values.merge import deep_merge
from obsctl.values.options import ChartSpec, ValuesOptions
from obsctl.values.s3 import hours


@dataclass(frozen=True)
class AppInputs:
    app: str
    chart: ChartSpec
    version: str
    release: str
    namespace: str
    region: str
    role: Role | None
    buckets: Mapping[str, str]  # store -> bucket name
    kms_key_arn: str | None
    retention_days: int | None
    options: ValuesOptions
    extra: Mapping[str, Any] = field(default_factory=dict)  # --set-file trees, merged

    def bucket(self, store: str) -> str:
        try:
            return self.buckets[store]
        except KeyError:
            raise ContractError(
                f"the stack contract has no {self.app} {store} bucket "
                f"(buckets.{self.app} lists {', '.join(sorted(self.buckets)) or 'none'})."
            ) from None

    @property
    def retention(self) -> str:
        """The env's retention for the app, as a duration in hours."""
        if self.retention_days is None:
            raise ContractError(
                f"the stack contract has no settings.retention_days.{self.app}, so the "
                f"{self.app} retention cannot be set."
            )
        return hours(self.retention_days)

    @property
    def annotations(self) -> dict[str, str]:
        """The role's Helm annotations from the contract: the IRSA role ARN, or none for a
        Pod Identity role (its association binds the account by name)."""
        return dict(self.role.helm_annotations) if self.role else {}


def app_inputs(contract: StackContract, app: str, options: ValuesOptions) -> AppInputs:
    role = contract.roles.get(app)
    key = contract.kms_keys.get(app)
    retention = (contract.settings.get("retention_days") or {}).get(app)
    if retention is not None and (not isinstance(retention, int) or retention < 1):
        raise ContractError(
            f"the stack contract gives settings.retention_days.{app} = {retention!r}, "
            "not a whole number of days."
        )
    return AppInputs(
        app=app,
        chart=options.chart(app),
        version=options.chart_version(app),
        release=options.release(app),
        namespace=options.namespaces.get(app) or (role.namespace if role else app),
        region=contract.region,
        role=role,
        buckets={store: bucket.name for store, bucket in contract.buckets.get(app, {}).items()},
        kms_key_arn=key.arn if key else None,
        retention_days=retention,
        options=options,
        extra=deep_merge({}, *options.extra_values.get(app, ())),
    )


@dataclass(frozen=True)
class Rendered:
    """One file's worth of output: a chart's final values, or an app's plain configuration."""

    app: str
    kind: str  # "helm" or "config"
    chart: ChartSpec
    version: str
    release: str
    namespace: str
    tree: dict[str, Any]

    @property
    def file_name(self) -> str:
        return f"{self.app}-values.yaml" if self.kind == "helm" else f"{self.app}.yaml"
