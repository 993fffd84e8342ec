"""`obsctl values --check` end to end with the real helm and charts: a passing stack, a broken
value (one FAIL line, exit 1), the JSON report, and chart names as --chart keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from obsctl.cli import main
from tests.unit.values.values_support import DEV_CONTRACT, KAFKA

from .support import Renderer

pytestmark = pytest.mark.xdist_group("conformance")


def check(
    capsys: pytest.CaptureFixture[str], renderer: Renderer, *args: str, kafka: bool = False
) -> tuple[int, str, str]:
    tempo = "tempo-distributed" if kafka else "tempo"
    charts = {"mimir": "mimir-distributed", "loki": "loki", tempo: tempo, "grafana": "grafana"}
    flags = [
        f
        for key, chart in charts.items()
        for f in ("--chart", f"{key}={renderer.charts[chart].path}")
    ]
    code = main(
        ["values", "--contract-json", str(DEV_CONTRACT), "--check", "--helm", renderer.helm]
        + flags
        + (["--kafka-address", KAFKA] if kafka else [])
        + list(args)
    )
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_dev_values_pass_and_the_chart_limitations_are_noted(
    capsys: pytest.CaptureFixture[str], renderer: Renderer
) -> None:
    code, out, err = check(capsys, renderer)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == (
        "Checked the dev stack's Helm values as rendered by mimir-distributed 6.3.0-weekly.408, "
        "loki 18.11.0, tempo 2.2.4, grafana 12.11.1."
    )
    assert [line[:16] for line in lines[1:-1]] == ["NOTE mimir ident"]
    assert lines[-1] == "No failure: every check passed."


def test_a_broken_value_is_one_fail_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], renderer: Renderer, tmp_path: Path
) -> None:
    extra = tmp_path / "loki.yaml"
    extra.write_text("loki:\n  commonConfig:\n    replication_factor: 3\n")
    code, out, _ = check(capsys, renderer, "--set-file", f"loki={extra}")
    assert code == 1
    assert [line for line in out.splitlines() if line.startswith("FAIL")] == [
        "FAIL loki replication: common.replication_factor is 3 but the render runs 1 ingesting "
        "replica(s) (StatefulSet loki): every push needs 2 live replicas and fails."
    ]
    assert out.splitlines()[-1] == "1 failure."


def test_the_json_report_lists_charts_and_findings(
    capsys: pytest.CaptureFixture[str], renderer: Renderer
) -> None:
    code, out, _ = check(capsys, renderer, "--json", kafka=True)
    report = json.loads(out)
    assert code == 0 and report["ok"] is True
    assert report["charts"]["tempo"] == {"name": "tempo-distributed", "version": "3.3.0"}
    assert {(f["app"], f["limitation"]) for f in report["findings"]} == {
        ("mimir", True),
        ("tempo", True),
    }
