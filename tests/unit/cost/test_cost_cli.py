"""`obsctl cost` end to end, in-process: the dev and prod plans with each preset, every format,
and the mistakes a user makes, each refused with one sentence and exit code 2."""

from __future__ import annotations

import json
import re
import xml.dom.minidom
from pathlib import Path

import pytest

from obsctl.cli import main
from obsctl.errors import ExitCode

PLANS = Path(__file__).resolve().parents[2] / "fixtures" / "plan"
ENVS = ("dev", "prod")
PRESETS = ("small", "medium", "large")
FORMATS = ("table", "json", "markdown", "html")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["cost", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("output", FORMATS)
@pytest.mark.parametrize("name", PRESETS)
@pytest.mark.parametrize("env", ENVS)
def test_cost_of_each_env_with_each_preset_in_each_format(
    capsys: pytest.CaptureFixture[str], env: str, name: str, output: str
) -> None:
    code, out, err = run(
        capsys, "--env", env, "--plan-json", str(PLANS / f"{env}.json"), "--preset", name,
        "--format", output, "--compare",
    )  # fmt: skip
    assert (code, err) == (0, "")
    if output == "json":
        document = json.loads(out)
        assert document["environment"] == env and document["usage"] == f"preset {name}"
        assert document["total_usd"] == pytest.approx(sum(document["by_app"].values()))
        assert document["compare"]["naive_total_usd"] >= document["total_usd"]
        assert set(document["by_app"]) >= {"mimir", "loki", "tempo"}
    elif output == "table":
        assert "TOTAL" in out and "Compared with a naive stack" in out
    elif output == "markdown":
        assert out.startswith("### Monthly cost estimate:") and "| **Total** |" in out
    else:
        assert out.startswith("<!DOCTYPE html>") and "<svg" in out
        # One self-contained page: no scripts, no links, nothing fetched.
        assert "<script" not in out and "src=" not in out and "href=" not in out
        assert re.findall(r"https?://[^\"' ]+", out) == ["http://www.w3.org/2000/svg"]
        svg = re.search(r"<svg.*?</svg>", out, re.S)
        assert svg is not None
        xml.dom.minidom.parseString(svg.group(0))  # well-formed


def test_prod_saves_against_the_naive_stack_and_dev_defaults_to_small(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "--plan-json", str(PLANS / "dev.json"), "--format", "json")
    assert code == 0 and json.loads(out)["usage"] == "preset small"
    code, out, _ = run(
        capsys, "--env", "prod", "--plan-json", str(PLANS / "prod.json"), "--format", "json",
        "--compare",
    )  # fmt: skip
    document = json.loads(out)
    assert document["usage"] == "preset medium"
    assert document["compare"]["savings_by_app"]["mimir"] > 0  # Standard-IA, Glacier IR
    assert {"CloudTrail", "CloudWatch"} <= set(document["by_service"])


def test_verbose_table_lists_line_items(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["-v", "cost", "--plan-json", str(PLANS / "prod.json"), "--preset", "small"])
    out = capsys.readouterr().out
    assert code == 0 and "storage STANDARD_IA" in out and "early deletion" not in out


def test_out_writes_the_report_to_a_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "cost.html"
    code, out, err = run(
        capsys, "--plan-json", str(PLANS / "prod.json"), "--format", "html", "--out", str(target)
    )
    assert (code, out) == (0, "") and "wrote the html estimate" in err
    assert target.read_text().startswith("<!DOCTYPE html>")


def test_a_usage_file_is_applied(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    usage = tmp_path / "usage.yaml"
    usage.write_text("preset: small\nloki:\n  raw_gb_per_day: 500\n")
    code, out, _ = run(
        capsys, "--plan-json", str(PLANS / "dev.json"), "--usage", str(usage), "--format", "json"
    )
    small = json.loads(run(capsys, "--plan-json", str(PLANS / "dev.json"), "--format", "json")[1])
    assert code == 0 and json.loads(out)["by_app"]["loki"] > 10 * small["by_app"]["loki"]


def unknown_region_plan(tmp_path: Path) -> Path:
    plan = json.loads((PLANS / "dev.json").read_text())
    text = json.dumps(plan).replace("us-east-1", "ap-south-1")
    path = tmp_path / "plan.json"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--usage", "u.yaml", "--preset", "small"], "--usage and --preset cannot be combined"),
        (
            ["--preset", "huge"],
            "Unknown usage preset 'huge'; the presets are small, medium, large.",
        ),
        (["--usage", "{tmp}/bad.yaml"], "mimir.active_series must be at least 0, got -1."),
        (
            ["--usage", "{tmp}/typo.yaml"],
            "unknown field loki.raw_gb (did you mean raw_gb_per_day?)",
        ),
        (["--plan-json", "{tmp}/missing.json"], "does not exist"),
        (
            ["--plan-json", "{region}"],
            "There are no prices for region 'ap-south-1' (known regions:",
        ),
        (["--out", "{tmp}/no/such/dir/x.md"], "does not exist"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_code_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "bad.yaml").write_text("mimir:\n  active_series: -1\n")
    (tmp_path / "typo.yaml").write_text("loki:\n  raw_gb: 3\n")
    values = {"tmp": str(tmp_path), "region": str(unknown_region_plan(tmp_path))}
    argv = [arg.format(**values) for arg in args]
    if "--plan-json" not in argv:
        argv += ["--plan-json", str(PLANS / "dev.json")]
    code, out, err = run(capsys, *argv)
    assert code == ExitCode.USAGE and out == ""
    assert err.startswith("obsctl: ") and message in err
    assert "Traceback" not in err


def test_usage_errors_come_before_the_plan_is_read(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--preset", "huge", "--plan-json", "/nonexistent/plan.json")
    assert code == ExitCode.USAGE and "preset 'huge'" in err


def test_without_plan_json_the_env_is_planned_with_its_selection(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from obsctl.commands import cost as command
    from obsctl.commands.base import Selection

    calls = []

    def fake_stack(where, provenance):  # type: ignore[no-untyped-def]
        from obsctl.model import plan_stack

        calls.append(where)
        return plan_stack(json.loads((PLANS / "prod.json").read_text()))

    monkeypatch.setattr(command, "_workspace_stack", fake_stack)
    code, out, _ = run(
        capsys, "--env", "prod", "--target", "aws", "--var", "a=b", "--format", "json"
    )
    assert code == ExitCode.OK and json.loads(out)["total_usd"] > 0
    assert calls == [Selection(env="prod", target="aws", variables=("a=b",))]


def test_json_is_format_json_and_refuses_another_format(
    capsys: pytest.CaptureFixture[str],
) -> None:
    plan = str(PLANS / "dev.json")
    code, out, err = run(capsys, "--plan-json", plan, "--json")
    assert (code, err) == (0, "")
    code, same, _ = run(capsys, "--plan-json", plan, "--format", "json")
    assert json.loads(out) == json.loads(same)
    code, _, err = run(capsys, "--plan-json", plan, "--json", "--format", "markdown")
    assert code == ExitCode.USAGE
    assert "--json means --format json, so it cannot be combined with --format markdown" in err


MINIMAL_PLAN = {
    "format_version": "1.2",
    "planned_values": {
        "root_module": {
            "resources": [
                {
                    "address": "aws_s3_bucket.logs",
                    "mode": "managed",
                    "type": "aws_s3_bucket",
                    "name": "logs",
                    "values": {
                        "bucket": "acme-loki-chunks",
                        "tags": {"lgtm:app": "loki", "lgtm:store": "chunks"},
                    },
                }
            ]
        }
    },
}


def test_a_plan_without_region_needs_one_in_the_usage_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(MINIMAL_PLAN))
    code, _, err = run(capsys, "--plan-json", str(plan))
    assert code == ExitCode.USAGE and "does not name its region" in err
    usage = tmp_path / "usage.yaml"
    usage.write_text("preset: small\nregion: eu-west-1\n")
    code, out, _ = run(capsys, "--plan-json", str(plan), "--usage", str(usage), "--format", "json")
    document = json.loads(out)
    assert code == 0 and document["region"] == "eu-west-1"
    # The prices it used were read from eu-west-1's offer file (objectfs' snapshot):
    # none is unverified, so no note says so.
    assert document["prices_verified"] == {"oldest": "2026-08-02", "newest": "2026-08-02"}
    assert document["unverified_prices"] == {}
    assert not any("unverified" in note for note in document["notes"])
    assert document["by_app"]["loki"] > 0  # no contract names its retention: priced as a year


def test_a_bucket_of_unknown_purpose_is_priced_empty_and_said(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plan = json.loads(json.dumps(MINIMAL_PLAN))
    plan["planned_values"]["root_module"]["resources"][0]["values"] = {"bucket": "acme-website"}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    usage = tmp_path / "usage.yaml"
    usage.write_text("region: us-east-1\n")
    code, out, _ = run(capsys, "--plan-json", str(path), "--usage", str(usage), "--format", "json")
    document = json.loads(out)
    assert code == 0 and document["total_usd"] == 0
    assert any("acme-website: no usage model" in note for note in document["notes"])
