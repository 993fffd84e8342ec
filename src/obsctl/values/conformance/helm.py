"""The user's helm and charts: find the binary, locate or pull each chart, check it is the chart
(and major version) the values were made for, and render it with `helm template`."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from obsctl.errors import ObsctlError, UsageError
from obsctl.values.options import ChartSpec

HELM_ENV = "OBSCTL_HELM"
TIMEOUT_SECONDS = 300


class HelmError(ObsctlError):
    """helm ran and failed: its first error line, as one sentence."""


@dataclass(frozen=True)
class Chart:
    """A chart directory and what its Chart.yaml says."""

    path: Path
    name: str
    version: str

    @property
    def major(self) -> int | None:
        head = self.version.lstrip("v").split(".", 1)[0]
        return int(head) if head.isdigit() else None


def find_helm(explicit: str | None = None) -> str:
    """--helm, else $OBSCTL_HELM, else helm on PATH."""
    candidate = explicit or os.environ.get(HELM_ENV) or "helm"
    found = shutil.which(candidate)
    if found is None:
        origin = "--helm" if explicit else (HELM_ENV if os.environ.get(HELM_ENV) else "PATH")
        raise UsageError(
            f"helm is not installed: no executable {candidate!r} (from {origin}).",
            hint=f"Install helm 3 or later, or pass --helm PATH (or set {HELM_ENV}).",
        )
    return found


def _first_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.lower().startswith("error")]
    text = (errors or lines or ["no message"])[0]
    return text.removeprefix("Error: ").removeprefix("error: ").rstrip(".")


def _run(helm: str, *args: str) -> str:
    try:
        done = subprocess.run(
            [helm, *args], capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except OSError as error:
        raise UsageError(f"helm ({helm}) cannot run: {error.strerror}.") from None
    except subprocess.TimeoutExpired:
        raise HelmError(f"`helm {args[0]}` did not finish in {TIMEOUT_SECONDS} s.") from None
    if done.returncode != 0:
        raise HelmError(f"`helm {' '.join(args[:2])}` failed: {_first_error(done.stderr)}.")
    return done.stdout


def read_chart(path: Path, flag: str) -> Chart:
    chart_file = path / "Chart.yaml"
    try:
        meta = yaml.safe_load(chart_file.read_text(encoding="utf-8"))
    except OSError:
        raise UsageError(f"{flag}: {path} is not a chart directory (no Chart.yaml).") from None
    except yaml.YAMLError:
        raise UsageError(f"{flag}: {chart_file} is not valid YAML.") from None
    if not isinstance(meta, dict) or "name" not in meta or "version" not in meta:
        raise UsageError(f"{flag}: {chart_file} names no chart name and version.")
    return Chart(path, str(meta["name"]), str(meta["version"]))


def require_chart(chart: Chart, spec: ChartSpec, flag: str) -> None:
    """The values fit the chart they were written for, in its major version."""
    if chart.name != spec.name:
        raise UsageError(
            f"{flag}: {chart.path} is the {chart.name} chart, but the {spec.app} values are "
            f"made for {spec.name}."
        )
    if chart.major != spec.major:
        raise UsageError(
            f"{flag}: {chart.path} is {chart.name} {chart.version}, but the values are made for "
            f"{spec.name} {spec.major}.x."
        )


def locate_chart(
    helm: str, spec: ChartSpec, version: str, source: str | None, workdir: Path
) -> Chart:
    """`source`: a chart directory, or a repository reference (repo/chart) that helm pulls at
    `version`; None pulls the chart's usual reference (`helm repo add` first)."""
    flag = f"--chart {spec.app}={source}" if source else f"the {spec.reference} chart"
    if source is not None and (Path(source) / "Chart.yaml").is_file():
        chart = read_chart(Path(source), flag)
    elif source is not None and Path(source).exists():
        raise UsageError(f"--chart {spec.app}={source}: {source} holds no Chart.yaml.")
    else:
        reference = source or spec.reference
        target = workdir / "pulled" / spec.app
        target.mkdir(parents=True, exist_ok=True)
        try:
            _run(
                helm, "pull", reference, "--version", version, "--untar", "--untardir", str(target)
            )
        except HelmError as error:
            raise UsageError(
                f"helm cannot get chart {reference} {version}: {error.message}",
                hint=f"Add the repository first (helm repo add {spec.repo[0]} {spec.repo[1]}) "
                f"or pass --chart {spec.app}=DIR.",
            ) from None
        pulled = [path for path in target.iterdir() if (path / "Chart.yaml").is_file()]
        if len(pulled) != 1:
            raise UsageError(f"helm pull {reference} left no single chart in {target}.")
        chart = read_chart(pulled[0], flag)
    require_chart(chart, spec, flag)
    return chart


def template(
    helm: str,
    chart: Chart,
    release: str,
    namespace: str,
    values: Mapping[str, Any],
    workdir: Path,
) -> str:
    """`helm template` of the chart with these values; HelmError with helm's message."""
    with tempfile.NamedTemporaryFile(
        "w", suffix=".yaml", prefix=f"{release}-", dir=workdir, encoding="utf-8"
    ) as values_file:
        yaml.safe_dump(dict(values), values_file, sort_keys=False)
        values_file.flush()
        return _run(
            helm,
            "template",
            release,
            str(chart.path),
            "--namespace",
            namespace,
            "--values",
            values_file.name,
        )
