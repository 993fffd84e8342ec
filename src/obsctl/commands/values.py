"""Write Helm values (or plain app configuration) wiring Mimir, Loki, Tempo and Grafana to the
stack: buckets, region, SSE-KMS key, retention and the role of each app's service account.

The values are refused (exit 2) when a chart would create a service account that the app's
role does not trust. Files go to .obsctl/values/<env>/ unless --out says otherwise, with a
README.md holding the exact `helm upgrade --install` commands.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from obsctl.commands.common import add_env_arguments, add_json_argument
from obsctl.errors import UsageError

if TYPE_CHECKING:
    from obsctl.contract import StackContract
    from obsctl.values import ValuesOptions


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_env_arguments(parser)
    parser.add_argument(
        "--contract-json",
        type=Path,
        metavar="FILE",
        help="the stack contract: a `terraform output -json` file of the env root",
    )
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="output folder (default .obsctl/values/<env>/)"
    )
    add_json_argument(parser)
    parser.add_argument(
        "--format",
        choices=("helm", "config"),
        default="helm",
        help="helm: values for the four charts (default); config: mimir.yaml, loki.yaml and "
        "tempo.yaml application configuration, for deployments without Helm",
    )
    parser.add_argument(
        "--release",
        action="append",
        default=[],
        metavar="APP=NAME",
        help="Helm release name of an app (default: the app's name); it decides the "
        "service-account name, which the app's role must trust",
    )
    parser.add_argument(
        "--namespace",
        action="append",
        default=[],
        metavar="APP=NS",
        help="namespace of an app (default: the namespace its role trusts)",
    )
    parser.add_argument(
        "--chart-version",
        action="append",
        default=[],
        metavar="CHART=VER",
        help="chart version to install (default: the tested one, see README.md)",
    )
    parser.add_argument(
        "--set-file",
        action="append",
        default=[],
        metavar="CHART=FILE",
        help="YAML values of your own for a chart (or app), deep-merged last; repeatable",
    )
    parser.add_argument(
        "--kafka-address",
        metavar="HOST:PORT",
        help="Kafka-compatible broker: Mimir then uses ingest storage instead of its classic "
        "architecture; required by tempo-distributed 3.x",
    )
    parser.add_argument(
        "--tempo-chart",
        choices=("distributed", "monolithic"),
        default="distributed",
        help="tempo-distributed 3.x (default; needs --kafka-address) or the single-binary "
        "tempo chart",
    )
    parser.add_argument(
        "--tenant",
        metavar="ID",
        help="tenant (X-Scope-OrgID) Grafana's Mimir and Loki data sources query "
        "(default: anonymous)",
    )
    parser.add_argument(
        "--grafana-cloudwatch",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="add Grafana's CloudWatch data source (on by default, as the iam module grants "
        "CloudWatch read access by default)",
    )


def run(args: argparse.Namespace) -> int:
    from obsctl import values
    from obsctl.paths import state_dir

    contract = _load_contract(args)
    options = _options(args)
    rendered = values.render_checked(contract, options)  # every check, before any write
    out_dir = args.out or state_dir() / "values" / _env_name(args, contract)
    paths = values.write_rendered(rendered, contract, options, out_dir, _command_line(args))
    if args.json:
        report = {
            "environment": contract.environment,
            "format": options.output_format,
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
            "readme": str(paths[-1]),
            "values": {app: item.tree for app, item in rendered.items()},
        }
        json.dump(report, sys.stdout, indent=2)
        print()
        return 0
    what = "Helm values" if options.output_format == "helm" else "application configuration"
    print(f"Wrote {what} for the {contract.environment} stack to {out_dir}:")
    for item in rendered.values():
        detail = (
            f"{item.chart.reference} {item.version}, release {item.release} in {item.namespace}"
            if item.kind == "helm"
            else f"{item.app} configuration to merge into yours"
        )
        print(f"  {item.file_name:<22} {detail}")
    print(f"  {paths[-1].name:<22} the install commands and notes")
    if options.output_format == "helm":
        print(f"Next: run the helm commands in {paths[-1]}.")
    return 0


# --------------------------------------------------------------------------------------------
# The stack contract
# --------------------------------------------------------------------------------------------


def _load_contract(args: argparse.Namespace) -> StackContract:
    if args.contract_json is not None:
        return _read_contract_file(args.contract_json, args)
    from obsctl.workspace.session import stack_contract

    return stack_contract(None if args.dir else args.env, args.target, args.dir)


def _read_contract_file(path: Path, args: argparse.Namespace) -> StackContract:
    from obsctl.contract import StackContract

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
    if args.dir is None and contract.environment != args.env:
        raise UsageError(
            f"--contract-json {path} holds the stack contract of env {contract.environment}, "
            f"but --env is {args.env}: pass --env {contract.environment}."
        )
    return contract


def _env_name(args: argparse.Namespace, contract: StackContract) -> str:
    return args.dir.resolve().name if args.dir is not None else contract.environment


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


def _options(args: argparse.Namespace) -> ValuesOptions:
    from obsctl.values import ValuesOptions
    from obsctl.values.options import DEFAULT_TENANT, app_for_key

    tempo_chart = args.tempo_chart
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


def _command_line(args: argparse.Namespace) -> str:
    """The command as the user typed it, in a stable order, for the files' headers."""
    words = ["obsctl", "values"]
    if args.dir is not None:
        words += ["--dir", str(args.dir)]
    else:
        words += ["--env", args.env]
    for flag, value in (
        ("--format", args.format if args.format != "helm" else None),
        ("--tempo-chart", args.tempo_chart if args.tempo_chart != "distributed" else None),
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
    return " ".join(shlex.quote(word) for word in words)
