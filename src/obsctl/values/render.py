"""From the stack contract and the options to the final trees, checked before anything is
written: options first, then the identity of every chart's service accounts."""

from __future__ import annotations

import dataclasses
from typing import Any

from obsctl.errors import UsageError
from obsctl.model.contract import STORAGE_APPS, StackContract
from obsctl.values import grafana, loki, mimir, tempo
from obsctl.values.identity import Binding, IdentityProblem, bindings, identity_problems
from obsctl.values.inputs import AppInputs, Rendered, app_inputs
from obsctl.values.merge import deep_merge
from obsctl.values.naming import Endpoint, mimir_push_endpoint, query_endpoint
from obsctl.values.options import ValuesOptions, require_kafka, validate_options

_MODULES: dict[str, Any] = {"mimir": mimir, "loki": loki, "tempo": tempo}


def rendered_apps(contract: StackContract, options: ValuesOptions) -> tuple[str, ...]:
    """Storage apps the stack has buckets for, then Grafana (Helm values only); for one
    cluster's view, only the apps that cluster runs."""
    apps = [app for app in STORAGE_APPS if contract.buckets.get(app) and contract.runs(app)]
    if options.output_format == "helm" and contract.runs("grafana"):
        apps.append("grafana")
    return tuple(apps)


def render(
    contract: StackContract, options: ValuesOptions, *, require_complete: bool = True
) -> dict[str, Rendered]:
    """Every app's final tree (extra values merged last), not yet checked for identity.

    `require_complete=False` skips the checks that only matter for a working deployment (the
    Kafka broker of tempo-distributed), for callers that only look at names.
    """
    validate_options(options)
    if require_complete:
        require_kafka(options)
    apps = rendered_apps(contract, options)
    for app in options.extra_values:
        if app not in apps:
            raise UsageError(
                f"--set-file names {app}, but no {app} "
                f"{'values are' if options.output_format == 'helm' else 'config is'} written "
                f"for this stack (written: {', '.join(apps)})."
            )
    rendered: dict[str, Rendered] = {}
    for app in apps:
        if app == "grafana":
            continue
        inputs = app_inputs(contract, app, options)
        if options.output_format != "helm":
            tree = _MODULES[app].app_config(inputs)
        elif app == "tempo":
            tree = tempo.helm_values(inputs, _span_metrics_target(rendered))
        else:
            tree = _MODULES[app].helm_values(inputs)
        rendered[app] = _finish(inputs, options.output_format, tree)
    if "grafana" in apps:
        endpoints = {
            app: query_endpoint(item.chart, item.release, item.namespace, item.tree)
            for app, item in rendered.items()
        }
        inputs = app_inputs(contract, "grafana", options)
        rendered["grafana"] = _finish(inputs, "helm", grafana.helm_values(inputs, endpoints))
    return rendered


def _span_metrics_target(rendered: dict[str, Rendered]) -> Endpoint | None:
    """Where Tempo's metrics-generator writes span metrics and service graphs: the Mimir the
    same values deploy (Grafana's service map and traces-to-metrics read them there)."""
    mimir = rendered.get("mimir")
    if mimir is None:
        return None
    return mimir_push_endpoint(mimir.chart, mimir.release, mimir.namespace, mimir.tree)


def _finish(inputs: AppInputs, kind: str, tree: dict[str, Any]) -> Rendered:
    return Rendered(
        app=inputs.app,
        kind=kind,
        chart=inputs.chart,
        version=inputs.version,
        release=inputs.release,
        namespace=inputs.namespace,
        tree=deep_merge(tree, inputs.extra),
    )


def render_checked(contract: StackContract, options: ValuesOptions) -> dict[str, Rendered]:
    """Like render, but refuses (UsageError) when a chart's pods would not get their role."""
    rendered = render(contract, options)
    problems = identity_problems(contract, rendered, options.grafana_cloudwatch)
    if problems:
        more = len(problems) - 1
        raise UsageError(
            problems[0].message,
            hint=(
                "Pick --release/--namespace values that give the trusted names, or add the "
                "account to the iam module's apps.<app> (namespace, service_accounts) and "
                "apply again."
                + (f" {more} more problem{'s' if more > 1 else ''}: see --verbose." if more else "")
            ),
            detail="\n".join(problem.message for problem in problems),
        )
    return rendered


def render_values(contract: StackContract, options: ValuesOptions) -> dict[str, dict[str, Any]]:
    """App -> final values tree (Helm values, or plain app configuration with format config)."""
    return {app: item.tree for app, item in render_checked(contract, options).items()}


def _as_helm(options: ValuesOptions) -> ValuesOptions:
    return dataclasses.replace(options, output_format="helm")


def check_identity(contract: StackContract, options: ValuesOptions) -> list[IdentityProblem]:
    """Why the Helm values for these options would leave pods without their role; [] if none.

    Always judged for the Helm charts (format config writes no service accounts), and without
    requiring a Kafka address, so it can run before or after the values are written.
    """
    rendered = render(contract, _as_helm(options), require_complete=False)
    return identity_problems(contract, rendered, options.grafana_cloudwatch)


def expected_bindings(contract: StackContract, options: ValuesOptions) -> list[Binding]:
    """The service accounts the Helm values create and the role each must get (live check)."""
    return bindings(contract, render(contract, _as_helm(options), require_complete=False))
