"""The conformance layer's machinery: find helm and the upstream charts, assemble the charts
with their dependencies, and render values with a cache, so each variant renders once per
session and a counter-test re-renders only the chart it breaks."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from obsctl.model.contract import StackContract
from obsctl.values.conformance import Chart, Finding, Release, check_charts, read_chart
from obsctl.values.conformance.helm import HELM_ENV, HelmError, template
from obsctl.values.conformance.suite import release_from_text
from obsctl.values.inputs import Rendered
from obsctl.values.writer import dump_yaml

REPO = Path(__file__).resolve().parents[2]
SHARED_CHARTS = REPO.parent / "shared" / "charts"
STUBS = "_stubs"
# CI sets it (.ci/run): a missing helm or chart folder fails the layer instead of skipping it.
REQUIRED_ENV = "OBSCTL_CONFORMANCE_REQUIRED"


def unavailable(reason: str) -> None:
    if os.environ.get(REQUIRED_ENV) == "1":
        pytest.fail(f"{reason}; {REQUIRED_ENV}=1 (CI) requires the conformance layer")
    pytest.skip(reason)


def find_helm() -> str | None:
    """$OBSCTL_HELM, else helm on PATH, else the one `make tools` installs in .tools/bin."""
    if explicit := os.environ.get(HELM_ENV):
        return shutil.which(explicit)
    local = REPO / ".tools" / "bin" / "helm"
    return shutil.which("helm") or (str(local) if os.access(local, os.X_OK) else None)


def _dependency_source(name: str) -> Path:
    for candidate in (SHARED_CHARTS / name, SHARED_CHARTS / STUBS / name):
        if (candidate / "Chart.yaml").is_file():
            return candidate
    raise FileNotFoundError(f"no chart {name} in {SHARED_CHARTS} or its {STUBS}/")


def assemble_charts(target: Path) -> dict[str, Chart]:
    """Copy each upstream chart with the dependencies its Chart.yaml declares (vendored ones
    kept; the rest from the shared folder or its stubs), as `helm dependency build` would."""
    charts: dict[str, Chart] = {}
    for source in sorted(SHARED_CHARTS.iterdir()):
        if source.name == STUBS or not (source / "Chart.yaml").is_file():
            continue
        destination = target / source.name
        shutil.copytree(source, destination, copy_function=shutil.copyfile)
        for folder, _, _ in os.walk(destination):
            Path(folder).chmod(0o755)  # the shared copy is read-only
        meta = yaml.safe_load((source / "Chart.yaml").read_text(encoding="utf-8"))
        for dependency in meta.get("dependencies") or []:
            vendored = destination / "charts" / dependency["name"]
            if not vendored.exists():
                shutil.copytree(
                    _dependency_source(dependency["name"]), vendored, copy_function=shutil.copyfile
                )
        charts[source.name] = read_chart(destination, f"{SHARED_CHARTS}/{source.name}")
    return charts


class Renderer:
    """`helm template` of the assembled charts, cached by chart, release and values."""

    def __init__(self, helm: str, charts: Mapping[str, Chart], workdir: Path) -> None:
        self.helm, self.charts, self.workdir = helm, charts, workdir
        self.renders = 0
        self._texts: dict[tuple[str, ...], str | HelmError] = {}
        self._lock = threading.Lock()

    def _key(self, chart: str, release: str, namespace: str, tree: Mapping[str, Any]) -> tuple:
        return (chart, release, namespace, dump_yaml(tree))

    def text(self, chart: str, release: str, namespace: str, tree: Mapping[str, Any]) -> str:
        """The rendered manifests; HelmError when helm refuses the values (cached too)."""
        key = self._key(chart, release, namespace, tree)
        with self._lock:
            cached = self._texts.get(key)
        if cached is None:
            try:
                cached = template(
                    self.helm, self.charts[chart], release, namespace, tree, self.workdir
                )
            except HelmError as error:
                cached = error
            with self._lock:
                self._texts[key] = cached
                self.renders += 1
        if isinstance(cached, HelmError):
            raise cached
        return cached

    def release(self, item: Rendered, chart: Chart) -> Release:
        return release_from_text(
            item, chart, self.text(chart.name, item.release, item.namespace, item.tree)
        )

    def check(self, contract: StackContract, rendered: Mapping[str, Rendered]) -> list[Finding]:
        charts = {app: self.charts[item.chart.name] for app, item in rendered.items()}
        return check_charts(contract, rendered, charts, self.release)
