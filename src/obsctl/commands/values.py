"""Write Helm values (or plain app configuration) wiring Mimir, Loki, Tempo and Grafana to the
stack: buckets, region, SSE-KMS key, retention and the role of each app's service account.

The values are refused (exit 2) when a chart would create a service account that the app's
role does not trust. Files go to .obsctl/values/<env>/ unless --out says otherwise, with a
README.md holding the exact `helm upgrade --install` commands.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from obsctl.commands.base import Context, Result, lines
from obsctl.errors import UsageError

if TYPE_CHECKING:
    from obsctl.model.contract import StackContract
    from obsctl.values import ValuesOptions
    from obsctl.values.conformance import CheckReport


@dataclass
class ValuesReport(Result):
    """The files written, and (for --json) the values themselves."""

    contract: StackContract
    options: ValuesOptions
    out_dir: Path
    rendered: dict[str, Any]
    paths: list[Path]

    def text(self) -> str:
        options, rendered, paths = self.options, self.rendered, self.paths
        what = "Helm values" if options.output_format == "helm" else "application configuration"
        said = [f"Wrote {what} for the {self.contract.environment} stack to {self.out_dir}:"]
        for item in rendered.values():
            detail = (
                f"{item.chart.reference} {item.version}, release {item.release} in {item.namespace}"
                if item.kind == "helm"
                else f"{item.app} configuration to merge into yours"
            )
            said.append(f"  {item.file_name:<22} {detail}")
        said.append(f"  {paths[-1].name:<22} the install commands and notes")
        if options.output_format == "helm":
            said.append(f"Next: run the helm commands in {paths[-1]}.")
        return lines(*said)

    def document(self) -> dict[str, Any]:
        rendered, out_dir = self.rendered, self.out_dir
        return {
            "environment": self.contract.environment,
            "format": self.options.output_format,
            "out_dir": str(out_dir),
            "files": [
                {
                    "app": item.app,
                    "path": str(out_dir / item.file_name),
                    "chart": item.chart.name if item.kind == "helm" else None,
                    "version": item.version if item.kind == "helm" else None,
                    "release": item.release if item.kind == "helm" else None,
                    "namespace": item.namespace if item.kind == "helm" else None,
                }
                for item in rendered.values()
            ],
            "readme": str(self.paths[-1]),
            "values": {app: item.tree for app, item in rendered.items()},
        }


@dataclass
class ClusterValuesReport(Result):
    """A stack of several clusters: one folder of values per cluster, and an index README."""

    contract: StackContract
    out_dir: Path
    clusters: dict[str, ValuesReport]
    readme: Path

    def text(self) -> str:
        first = next(iter(self.clusters.values()))
        what = "Helm values" if first.options.output_format == "helm" else "configuration"
        said = [
            f"Wrote {what} for the {self.contract.environment} stack's clusters to "
            f"{self.out_dir}, one folder each:"
        ]
        for key, report in self.clusters.items():
            cluster = self.contract.clusters[key]
            eks = f", EKS {cluster.name}" if cluster.name else ""
            where = f"account {cluster.account_id}{eks}"
            said.append(f"  {key + '/':<22} {', '.join(report.rendered)} ({where})")
        said.append(f"  {self.readme.name:<22} which folder goes to which cluster")
        if first.options.output_format == "helm":
            said.append("Next: in each cluster, run the helm commands of its folder's README.md.")
        return lines(*said)

    def document(self) -> dict[str, Any]:
        return {
            "environment": self.contract.environment,
            "out_dir": str(self.out_dir),
            "clusters": {key: report.document() for key, report in self.clusters.items()},
            "readme": str(self.readme),
        }


@dataclass
class ValuesCheck(Result):
    """`--check`: what the charts render with these values, judged; exit 1 on any failure."""

    report: CheckReport
    environment: str

    @property
    def exit_code(self) -> int:  # type: ignore[override]
        from obsctl.values.conformance import failures

        return 1 if failures(self.report.findings) else 0

    def text(self) -> str:
        from obsctl.values.conformance.report import report_text

        return lines(report_text(self.report, self.environment))

    def document(self) -> dict[str, Any]:
        from obsctl.values.conformance.report import report_json

        return report_json(self.report, self.environment)


@dataclass(frozen=True)
class ValuesFlags:
    """The flags of `obsctl values` as typed (named as argparse names them), which `values`
    checks and turns into ValuesOptions once the contract is read."""

    env: str = "dev"
    dir: Path | None = None
    format: str = "helm"
    tempo_chart: str | None = None  # None: the default `obsctl up` writes too
    kafka_address: str | None = None
    tenant: str | None = None
    release: list[str] = field(default_factory=list)
    namespace: list[str] = field(default_factory=list)
    chart_version: list[str] = field(default_factory=list)
    set_file: list[str] = field(default_factory=list)
    grafana_cloudwatch: bool = True
    check: bool = False
    chart: list[str] = field(default_factory=list)
    helm: str | None = None
    cluster: str | None = None  # one cluster of a stack that has several


def values(
    ctx: Context,
    *,
    target: str,
    flags: ValuesFlags,
    contract_json: Path | None = None,
    out: Path | None = None,
) -> ValuesReport | ValuesCheck:
    from obsctl import values as helm_values
    from obsctl.paths import state_dir

    if not flags.check and (flags.chart or flags.helm):
        raise UsageError("--chart and --helm only apply with --check.")
    from obsctl.values.clusters import cluster_views, render_clusters, write_clusters

    contract = _load_contract(flags.env, target, flags.dir, contract_json)
    options = _options(flags)
    views = cluster_views(contract, flags.cluster)
    if flags.check:
        if len(views) > 1:
            raise UsageError(
                f"--check judges one cluster's values and this stack has {len(views)} "
                f"clusters ({', '.join(views)}): pass --cluster KEY."
            )
        return _check(flags, next(iter(views.values()), contract), options)
    out_dir = out or state_dir() / "values" / _env_name(flags.dir, contract)
    if views:
        by_cluster = render_clusters(views, options)  # every check, before any write
        paths = write_clusters(by_cluster, views, contract, options, out_dir, _command_line(flags))
        reports = {
            key: ValuesReport(
                view,
                options,
                out_dir / key,
                by_cluster[key],
                [p for p in paths if p.parent == out_dir / key],
            )
            for key, view in views.items()
        }
        return ClusterValuesReport(contract, out_dir, reports, paths[-1])
    rendered = helm_values.render_checked(contract, options)  # every check, before any write
    paths = helm_values.write_rendered(rendered, contract, options, out_dir, _command_line(flags))
    return ValuesReport(contract, options, out_dir, rendered, paths)


def _check(flags: ValuesFlags, contract: StackContract, options: ValuesOptions) -> ValuesCheck:
    """Render with helm and the user's charts, and judge the manifests."""
    import tempfile

    from obsctl import values as helm_values
    from obsctl.values.conformance import check_values, find_helm
    from obsctl.values.options import app_for_key

    sources: dict[str, str] = {}
    for key, source in _pairs(flags.chart, "--chart", "APP=CHART"):
        app = app_for_key(key, "--chart", options.tempo_chart)
        if app in sources and sources[app] != source:
            raise UsageError(f"--chart sets {app} twice ({sources[app]} and {source}).")
        sources[app] = source
    # Not render_checked: the render's own identity check reports what the static one refuses.
    rendered = helm_values.render(contract, options)
    unused = sorted(set(sources) - set(rendered))
    if unused:
        raise UsageError(f"--chart names {unused[0]}, whose values are not written for this stack.")
    helm = find_helm(flags.helm) if options.output_format == "helm" else None
    with tempfile.TemporaryDirectory(prefix="obsctl-check-") as workdir:
        report = check_values(contract, options, rendered, helm, sources, Path(workdir))
    return ValuesCheck(report, _env_name(flags.dir, contract))


# --------------------------------------------------------------------------------------------
# The stack contract
# --------------------------------------------------------------------------------------------


def _load_contract(
    env: str, target: str, root_dir: Path | None, contract_json: Path | None
) -> StackContract:
    if contract_json is not None:
        return _read_contract_file(contract_json, env, root_dir)
    from obsctl.workspace.session import stack_contract

    return stack_contract(None if root_dir else env, target, root_dir)


def _read_contract_file(path: Path, env: str, root_dir: Path | None) -> StackContract:
    from obsctl.model.contract import StackContract

    try:
        outputs = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"--contract-json {path} cannot be read ({error.strerror}).") from None
    except json.JSONDecodeError as error:
        raise UsageError(
            f"--contract-json {path} is not JSON (line {error.lineno}: {error.msg})."
        ) from None
    if not isinstance(outputs, dict):
        raise UsageError(f"--contract-json {path} is not a `terraform output -json` object.")
    contract = StackContract.from_outputs(outputs, source=f"--contract-json {path}")
    if root_dir is None and contract.environment != env:
        raise UsageError(
            f"--contract-json {path} holds the stack contract of env {contract.environment}, "
            f"but --env is {env}: pass --env {contract.environment}."
        )
    return contract


def _env_name(root_dir: Path | None, contract: StackContract) -> str:
    return root_dir.resolve().name if root_dir is not None else contract.environment


# --------------------------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------------------------


def _pairs(items: list[str], flag: str, what: str) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise UsageError(f"{flag} {item} is not {what}.")
        pairs.append((key.strip(), value.strip()))
    return pairs


def _unique(pairs: list[tuple[str, str]], flag: str, tempo_chart: Any) -> dict[str, str]:
    from obsctl.values.options import app_for_key

    result: dict[str, str] = {}
    for key, value in pairs:
        app = app_for_key(key, flag, tempo_chart)
        if app in result and result[app] != value:
            raise UsageError(f"{flag} sets {app} twice ({result[app]} and {value}).")
        result[app] = value
    return result


def _read_values_file(key: str, path_text: str) -> dict[str, Any]:
    import yaml

    path = Path(path_text)
    try:
        tree = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"--set-file {key}={path} cannot be read ({error.strerror}).") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise UsageError(f"--set-file {key}={path} is not valid YAML{where}.") from None
    if tree is None:
        return {}
    if not isinstance(tree, dict):
        raise UsageError(f"--set-file {key}={path} must hold a YAML mapping of values.")
    return tree


def _options(args: ValuesFlags) -> ValuesOptions:
    from obsctl.values import ValuesOptions
    from obsctl.values.options import DEFAULT_TENANT, app_for_key, default_tempo_chart

    tempo_chart = args.tempo_chart or default_tempo_chart(args.kafka_address)
    extra: dict[str, list[dict[str, Any]]] = {}
    for key, path in _pairs(args.set_file, "--set-file", "CHART=FILE"):
        app = app_for_key(key, "--set-file", tempo_chart)
        extra.setdefault(app, []).append(_read_values_file(key, path))
    return ValuesOptions(
        releases=_unique(_pairs(args.release, "--release", "APP=NAME"), "--release", tempo_chart),
        namespaces=_unique(
            _pairs(args.namespace, "--namespace", "APP=NS"), "--namespace", tempo_chart
        ),
        chart_versions=_unique(
            _pairs(args.chart_version, "--chart-version", "CHART=VER"),
            "--chart-version",
            tempo_chart,
        ),
        extra_values={app: tuple(trees) for app, trees in extra.items()},
        kafka_address=args.kafka_address,
        tempo_chart=tempo_chart,
        output_format=args.format,
        grafana_cloudwatch=args.grafana_cloudwatch,
        tenant=args.tenant or DEFAULT_TENANT,
    )


def _command_line(args: ValuesFlags) -> str:
    """The command as the user typed it, in a stable order, for the files' headers."""
    words = ["obsctl", "values"]
    if args.dir is not None:
        words += ["--dir", str(args.dir)]
    else:
        words += ["--env", args.env]
    for flag, value in (
        ("--format", args.format if args.format != "helm" else None),
        ("--tempo-chart", args.tempo_chart),
        ("--kafka-address", args.kafka_address),
        ("--tenant", args.tenant),
    ):
        if value is not None:
            words += [flag, value]
    for flag, items in (
        ("--release", args.release),
        ("--namespace", args.namespace),
        ("--chart-version", args.chart_version),
        ("--set-file", args.set_file),
    ):
        for item in items:
            words += [flag, item]
    if not args.grafana_cloudwatch:
        words.append("--no-grafana-cloudwatch")
    if args.cluster is not None:
        words += ["--cluster", args.cluster]
    return " ".join(shlex.quote(word) for word in words)
