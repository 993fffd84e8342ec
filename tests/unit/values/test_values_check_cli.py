"""`obsctl values --check` without real charts: its refusals (one sentence, exit 2, before any
render), the config-format check, and the helm errors it turns into sentences. The checks on
real renders are in tests/conformance."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from obsctl.cli import main
from obsctl.errors import ExitCode

from .values_support import DEV_CONTRACT

BASE = ["values", "--contract-json", str(DEV_CONTRACT)]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def fake_helm(tmp_path: Path, stderr: str) -> Path:
    """A helm that fails every command with `stderr`."""
    path = tmp_path / "helm"
    path.write_text(f"#!/bin/sh\necho '{stderr}' >&2\nexit 1\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def chart_dir(tmp_path: Path, name: str, version: str) -> Path:
    path = tmp_path / f"{name}-{version}"
    path.mkdir()
    (path / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: {version}\n")
    return path


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, out, err = run(capsys, *BASE, *args)
    assert code == ExitCode.USAGE, err
    assert out == "" and "Traceback" not in err
    return err.splitlines()[0]


def test_chart_and_helm_flags_need_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert refused(capsys, "--chart", "loki=x") == (
        "obsctl: --chart and --helm only apply with --check."
    )


def test_a_missing_helm_is_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    assert refused(capsys, "--check", "--helm", "/nonexistent/helm") == (
        "obsctl: helm is not installed: no executable '/nonexistent/helm' (from --helm)."
    )


def test_another_chart_is_refused_before_anything_renders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    helm = fake_helm(tmp_path, "Error: must not run")
    wrong = chart_dir(tmp_path, "mimir-distributed", "6.3.0")
    assert refused(capsys, "--check", "--helm", str(helm), "--chart", f"loki={wrong}") == (
        f"obsctl: --chart loki={wrong}: {wrong} is the mimir-distributed chart, but the loki "
        "values are made for loki."
    )


def test_a_chart_version_the_values_were_not_made_for_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    helm = fake_helm(tmp_path, "Error: must not run")
    old = chart_dir(tmp_path, "loki", "6.55.0")
    assert refused(capsys, "--check", "--helm", str(helm), "--chart", f"loki={old}") == (
        f"obsctl: --chart loki={old}: {old} is loki 6.55.0, but the values are made for loki 18.x."
    )


def test_a_directory_without_a_chart_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    helm = fake_helm(tmp_path, "Error: must not run")
    assert refused(capsys, "--check", "--helm", str(helm), "--chart", f"tempo={tmp_path}") == (
        f"obsctl: --chart tempo={tmp_path}: {tmp_path} holds no Chart.yaml."
    )


def test_a_chart_helm_cannot_pull_names_the_repository_to_add(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    helm = fake_helm(tmp_path, "Error: repo grafana not found")
    code, _, err = run(capsys, *BASE, "--check", "--helm", str(helm))
    assert code == ExitCode.USAGE
    assert err.splitlines() == [
        "obsctl: helm cannot get chart grafana/mimir-distributed 6.2.0: `helm pull "
        "grafana/mimir-distributed` failed: repo grafana not found.",
        "  hint: Add the repository first (helm repo add grafana "
        "https://grafana.github.io/helm-charts) or pass --chart mimir=DIR.",
    ]


def test_a_chart_for_an_app_the_stack_has_no_values_for_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert refused(capsys, "--check", "--format", "config", "--chart", "grafana=x") == (
        "obsctl: --chart names grafana, whose values are not written for this stack."
    )


def test_config_files_are_checked_without_helm(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no helm anywhere
    code, out, err = run(capsys, *BASE, "--check", "--format", "config", "--out", str(tmp_path))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Checked the dev stack's application configuration files.",
        "No failure: every check passed.",
    ]
    assert list(tmp_path.iterdir()) == []  # --check writes nothing
