"""No generated key is silently ignored: changing any one of them changes what its chart
renders (or makes helm refuse the values), in every Helm variant."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from obsctl.values.inputs import Rendered
from obsctl.values.merge import deep_merge
from tools.keypaths import leaf_paths

from .conftest import POD_IDENTITY
from .mutation import ignored_keys
from .support import Renderer

pytestmark = pytest.mark.xdist_group("conformance")

MUTATED_VARIANTS = ["dev-helm", "dev-helm-kafka", POD_IDENTITY]
CHARTS = ["mimir-distributed", "loki", "tempo", "tempo-distributed", "grafana"]


def _render(renderer: Renderer, item: Rendered) -> Callable[[dict], str]:
    def render(tree: dict) -> str:
        return renderer.text(item.chart.name, item.release, item.namespace, tree)

    return render


@pytest.mark.parametrize("chart", CHARTS)
def test_every_generated_key_changes_the_render(
    chart: str, renderer: Renderer, variant: Callable
) -> None:
    """Each key path is mutated in the first variant that writes it (the others write the
    same path with another value)."""
    covered: set = set()
    ignored: list[str] = []
    for name in MUTATED_VARIANTS:
        for item in variant(name)[1].values():
            if item.chart.name != chart:
                continue
            new = set(leaf_paths(item.tree)) - covered
            ignored += ignored_keys(_render(renderer, item), item.tree, only=new)
            covered |= new
    assert len(covered) >= 5
    assert ignored == []


def test_a_key_the_chart_ignores_is_reported(renderer: Renderer, variant: Callable) -> None:
    _, rendered = variant("dev-helm")
    item = rendered["mimir"]
    tree = deep_merge(item.tree, {"serviceAccount": {"roleArn": "arn:aws:iam::1:role/x"}})
    item = dataclasses.replace(item, tree=tree)
    mutated = {("serviceAccount", "roleArn"), ("serviceAccount", "create"), ("minio", "enabled")}
    assert ignored_keys(_render(renderer, item), tree, only=mutated) == ["serviceAccount.roleArn"]
