"""Helm values per cluster: a stack used by several clusters gets one folder per cluster.

Each cluster runs its own releases of the apps it lists, in its own namespaces, under its own
service accounts: its values are those of the stack as that cluster sees it
(`StackContract.for_cluster`), written to `<out>/<cluster key>/` with their own README, and
checked against that cluster's trust subjects. The IRSA annotation names the same role in
every cluster (the role lives in the stack's account and trusts each cluster's issuer); what
differs is the namespace, the service accounts, and which apps run there. A stack with one
cluster keeps the single folder it always had.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from obsctl.errors import UsageError
from obsctl.model.contract import StackContract
from obsctl.values.inputs import Rendered
from obsctl.values.options import ValuesOptions
from obsctl.values.readme import APP_TITLES, origin
from obsctl.values.render import render_checked
from obsctl.values.writer import (
    README,
    remove_stale_cluster_folders,
    remove_stale_files,
    write_atomic,
    write_rendered,
)


def cluster_views(contract: StackContract, only: str | None = None) -> dict[str, StackContract]:
    """Cluster key -> the stack as that cluster uses it; {} for a stack of one cluster, whose
    values keep one folder. `only` picks one cluster (UsageError when there is none such)."""
    if only is not None and only not in contract.clusters:
        known = ", ".join(sorted(contract.clusters)) or "none"
        raise UsageError(f"--cluster {only}: the stack has no such cluster (it has {known}).")
    if len(contract.clusters) <= 1:
        return {}
    keys = [only] if only is not None else sorted(contract.clusters)
    return {key: contract.for_cluster(key) for key in keys}


def render_clusters(
    views: Mapping[str, StackContract], options: ValuesOptions
) -> dict[str, dict[str, Rendered]]:
    """Every cluster's values, each checked against that cluster's trust, before any write."""
    rendered: dict[str, dict[str, Rendered]] = {}
    for key, view in views.items():
        try:
            rendered[key] = render_checked(view, options)
        except UsageError as error:
            raise UsageError(
                f"cluster {key}: {error.message}", hint=error.hint, detail=error.detail
            ) from None
    return rendered


def write_clusters(
    rendered: Mapping[str, Mapping[str, Rendered]],
    views: Mapping[str, StackContract],
    contract: StackContract,
    options: ValuesOptions,
    out_dir: Path,
    generated_by: str = "obsctl values",
) -> list[Path]:
    """Write `<out_dir>/<cluster>/` for each cluster and an index README; paths, README last."""
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_files(out_dir, set())  # the single-cluster files of an earlier run
    if len(views) == len(contract.clusters):
        remove_stale_cluster_folders(out_dir, set(views))
    written: list[Path] = []
    for key, view in views.items():
        written += write_rendered(rendered[key], view, options, out_dir / key, generated_by)
    readme = out_dir / README
    write_atomic(readme, index_text(rendered, views, contract, generated_by))
    written.append(readme)
    return written


def index_text(
    rendered: Mapping[str, Mapping[str, Rendered]],
    views: Mapping[str, StackContract],
    contract: StackContract,
    generated_by: str,
) -> str:
    lines = [
        f"# Values for the {contract.environment} stack's {len(contract.clusters)} clusters",
        "",
        origin(contract, generated_by),
        "Each folder holds one cluster's values and its install commands (its README.md): "
        "install each folder's releases in its own cluster.",
        "",
        "| folder | EKS cluster | account | apps (namespace) |",
        "|---|---|---|---|",
    ]
    for key in views:
        cluster = contract.clusters[key]
        apps = ", ".join(
            f"{APP_TITLES[app]} ({item.namespace})" for app, item in rendered[key].items()
        )
        lines.append(
            f"| `{key}/` | {cluster.name or 'by its issuer only'} | {cluster.account_id} "
            f"| {apps or 'none'} |"
        )
    return "\n".join(lines) + "\n"


def write_values(
    contract: StackContract,
    options: ValuesOptions,
    out_dir: Path,
    generated_by: str = "obsctl values",
) -> list[Path]:
    """Render, check and write the values; nothing is written when a check fails. A stack
    with several clusters gets one folder per cluster."""
    views = cluster_views(contract)
    if views:
        rendered = render_clusters(views, options)
        return write_clusters(rendered, views, contract, options, out_dir, generated_by)
    return write_rendered(
        render_checked(contract, options), contract, options, out_dir, generated_by
    )
