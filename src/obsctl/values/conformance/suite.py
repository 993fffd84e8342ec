"""All checks, on renders or on plain config files, and the whole `obsctl values --check` run:
render the values, render each chart with helm, check what helm produced."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from obsctl.model.contract import STORAGE_APPS, StackContract
from obsctl.values.conformance.charts import CHART_FACTS
from obsctl.values.conformance.datasources import datasource_findings
from obsctl.values.conformance.findings import Finding
from obsctl.values.conformance.helm import Chart, HelmError, locate_chart, template
from obsctl.values.conformance.identity import identity_findings
from obsctl.values.conformance.manifests import ManifestError, Release, parse
from obsctl.values.conformance.receivers import receiver_findings
from obsctl.values.conformance.replication import replication_findings
from obsctl.values.conformance.schema import schema_findings
from obsctl.values.conformance.storage import storage_findings
from obsctl.values.inputs import Rendered
from obsctl.values.options import ValuesOptions


def release_findings(contract: StackContract, release: Release) -> list[Finding]:
    """Every check of one rendered chart on its own (data sources need them all)."""
    key = CHART_FACTS[release.chart].config_key
    try:
        config = release.manifests.config(key) if key else None
    except ManifestError as error:
        return [Finding(release.app, "chart", f"the render's {key}: {error}.")]
    findings = identity_findings(contract, release)
    if release.app in STORAGE_APPS and key is not None:
        findings += storage_findings(contract, release.app, config, key)
        findings += replication_findings(release, config)
    if release.app == "tempo" and key is not None:
        findings += receiver_findings(config, key, release.manifests)
    return findings


def check_releases(contract: StackContract, releases: Mapping[str, Release]) -> list[Finding]:
    findings: list[Finding] = []
    for release in releases.values():
        findings += release_findings(contract, release)
    return findings + datasource_findings(contract, releases)


def check_configs(contract: StackContract, rendered: Mapping[str, Rendered]) -> list[Finding]:
    """The checks that apply to `--format config` files: storage and Tempo's receivers."""
    findings: list[Finding] = []
    for app, item in rendered.items():
        findings += storage_findings(contract, app, item.tree, item.file_name)
        if app == "tempo":
            findings += receiver_findings(item.tree, item.file_name)
    return findings


def render_release(helm: str, item: Rendered, chart: Chart, workdir: Path) -> Release:
    """`helm template` of one app's values; HelmError or ManifestError when it fails."""
    text = template(helm, chart, item.release, item.namespace, item.tree, workdir)
    return release_from_text(item, chart, text)


def release_from_text(item: Rendered, chart: Chart, text: str) -> Release:
    """A release from its rendered manifests; ManifestError when they are not objects."""
    return Release(
        app=item.app,
        chart=chart.name,
        version=chart.version,
        name=item.release,
        namespace=item.namespace,
        values=item.tree,
        manifests=parse(text, item.namespace),
    )


Render = Callable[[Rendered, Chart], Release]


def check_charts(
    contract: StackContract,
    rendered: Mapping[str, Rendered],
    charts: Mapping[str, Chart],
    render: Render,
) -> list[Finding]:
    """Schema, render and every check, for Helm values whose charts are at hand. `render`
    turns one app's values and chart into a Release (helm template; tests cache it)."""
    findings: list[Finding] = []
    releases: dict[str, Release] = {}
    for app, item in rendered.items():
        chart = charts[app]
        findings += schema_findings(app, chart.path, item.tree)
        try:
            releases[app] = render(item, chart)
        except (HelmError, ManifestError) as error:
            findings.append(Finding(app, "chart", str(getattr(error, "message", error))))
    return findings + check_releases(contract, releases)


@dataclass(frozen=True)
class CheckReport:
    """What `obsctl values --check` judged: the charts it rendered (none for config files)."""

    findings: list[Finding]
    charts: Mapping[str, Chart] = field(default_factory=dict)


def check_values(
    contract: StackContract,
    options: ValuesOptions,
    rendered: Mapping[str, Rendered],
    helm: str | None,
    sources: Mapping[str, str],
    workdir: Path,
) -> CheckReport:
    """`obsctl values --check`: `sources` maps an app to a chart directory or repo/chart
    reference (absent: the chart's usual reference). UsageError before any check when helm
    or a chart is missing or is not the chart the values were made for."""
    if options.output_format != "helm":
        return CheckReport(check_configs(contract, rendered))
    if helm is None:
        raise ValueError("Helm values are checked with helm")
    # The charts the user named first: a wrong one is reported before anything is pulled.
    order = sorted(rendered, key=lambda app: app not in sources)
    located = {
        app: locate_chart(
            helm, rendered[app].chart, rendered[app].version, sources.get(app), workdir
        )
        for app in order
    }
    charts = {app: located[app] for app in rendered}

    def render(item: Rendered, chart: Chart) -> Release:
        return render_release(helm, item, chart, workdir)

    return CheckReport(check_charts(contract, rendered, charts, render), charts)
