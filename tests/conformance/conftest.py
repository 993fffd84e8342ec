"""Fixtures of the conformance layer: helm, the assembled upstream charts, a caching renderer
and the variants users run, each rendered once per session.

Locally the layer skips (with the reason) when helm or ../shared/charts is absent; CI sets
OBSCTL_CONFORMANCE_REQUIRED=1 and then the same absence fails it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable

import pytest

from obsctl.model.contract import StackContract
from obsctl.values import ValuesOptions, render
from obsctl.values.inputs import Rendered
from tests.unit.values import conftest as values_fixtures
from tests.unit.values.values_support import VARIANTS, Variant, pod_identity, trusting

from .support import SHARED_CHARTS, Renderer, assemble_charts, find_helm, unavailable

# The values tests' dev and prod contracts, the same fixtures.
dev_contract = values_fixtures.dev_contract
prod_contract = values_fixtures.prod_contract

# Beyond the golden variants: Pod Identity for Loki and Grafana, and Mimir's ruler and
# alertmanager on accounts of their own (the iam module trusts them when asked).
POD_IDENTITY = "dev-helm-pod-identity"
ALL_VARIANTS = {**VARIANTS, POD_IDENTITY: Variant("dev", ValuesOptions(), "--env dev")}
HELM_VARIANTS = [name for name, v in ALL_VARIANTS.items() if v.options.output_format == "helm"]
CONFIG_VARIANTS = [name for name in ALL_VARIANTS if name not in HELM_VARIANTS]


def variant_contract(name: str, dev: StackContract, prod: StackContract) -> StackContract:
    if name == POD_IDENTITY:
        accounts = trusting(dev, "mimir", "mimir", "mimir", "mimir-ruler", "mimir-alertmanager")
        return pod_identity(pod_identity(accounts, "loki"), "grafana")
    return dev if ALL_VARIANTS[name].env == "dev" else prod


@pytest.fixture(scope="session")
def renderer(tmp_path_factory: pytest.TempPathFactory) -> Renderer:
    helm = find_helm()
    if helm is None:
        configured = os.environ.get("OBSCTL_HELM")
        unavailable(
            f"no helm at OBSCTL_HELM={configured}"
            if configured
            else "no helm (set OBSCTL_HELM, put helm on PATH or run `make tools`)"
        )
    if not SHARED_CHARTS.is_dir():
        unavailable(f"the upstream charts are not beside the repository ({SHARED_CHARTS})")
    assert helm is not None
    charts = assemble_charts(tmp_path_factory.mktemp("charts"))
    return Renderer(helm, charts, tmp_path_factory.mktemp("renders"))


@pytest.fixture(scope="session")
def variant(
    dev_contract: StackContract, prod_contract: StackContract
) -> Callable[..., tuple[StackContract, dict[str, Rendered]]]:
    """(contract, rendered values) of a variant, optionally with extra values merged last."""

    def build(
        name: str, contract: StackContract | None = None, **extra: dict
    ) -> tuple[StackContract, dict[str, Rendered]]:
        options = ALL_VARIANTS[name].options
        if extra:
            options = dataclasses.replace(
                options, extra_values={app: (tree,) for app, tree in extra.items()}
            )
        contract = contract or variant_contract(name, dev_contract, prod_contract)
        return contract, render(contract, options)

    return build
