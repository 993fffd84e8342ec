"""The usage file and presets: units people know in, clear one-sentence errors out."""

from __future__ import annotations

from pathlib import Path

import pytest

from obsctl.cost.units import GB
from obsctl.cost.usage_file import load_usage, preset, preset_names, usage_from_mapping
from obsctl.errors import ExitCode, UsageError


def test_presets_are_small_medium_large_and_grow() -> None:
    assert preset_names() == ("small", "medium", "large")
    volumes = [preset(name).mimir.active_series for name in preset_names()]
    assert volumes == sorted(volumes) and volumes[0] > 0


def test_volumes_convert_from_the_units_people_know() -> None:
    usage = usage_from_mapping(
        {
            "mimir": {"active_series": 1_000_000, "scrape_interval_seconds": 15},
            "loki": {"raw_gb_per_day": 80, "compression_ratio": 8},
            "tempo": {"spans_per_second": 1000, "bytes_per_span": 500, "compression_ratio": 5},
        },
        "u.yaml",
    )
    # 1M series x 86,400 / 15 s = 5.76e9 samples/day x 2 B [MIMIR-CAP]
    assert usage.mimir.compacted_bytes_per_day == pytest.approx(5.76e9 * 2)
    assert usage.loki.stored_bytes_per_day == pytest.approx(10 * GB)
    assert usage.tempo.stored_bytes_per_day == pytest.approx(1000 * 500 * 86_400 / 5)


def test_a_usage_file_overrides_the_preset_it_names(tmp_path: Path) -> None:
    path = tmp_path / "usage.yaml"
    path.write_text("version: 1\npreset: medium\nloki:\n  raw_gb_per_day: 7\n")
    usage = load_usage(path)
    assert usage.loki.raw_gb_per_day == 7
    assert usage.mimir.active_series == preset("medium").mimir.active_series
    assert "preset medium" in usage.name


def test_a_usage_file_without_preset_starts_from_zero_volumes() -> None:
    usage = usage_from_mapping({"loki": {"raw_gb_per_day": 1}}, "u.yaml")
    assert usage.mimir.active_series == 0 and usage.tempo.spans_per_second == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            {"mimir": {"activ_series": 1}},
            "unknown field mimir.activ_series (did you mean active_series?)",
        ),
        ({"mimir": {"active_series": -5}}, "mimir.active_series must be at least 0, got -5"),
        ({"loki": {"raw_gb_per_day": "lots"}}, "loki.raw_gb_per_day must be a number, got 'lots'"),
        ({"loki": {"compression_ratio": 0}}, "loki.compression_ratio must be greater than 0"),
        ({"loki": {"chunk_kb": 4096}}, "loki.chunk_kb must be at most 1536"),
        ({"tempo": {"tenants": 1.5}}, "tempo.tenants must be a whole number"),
        ({"tempo": {"spans_per_second": True}}, "tempo.spans_per_second must be a number"),
        ({"mimir": 3}, "mimir must be a mapping of fields"),
        ({"dynamodb": {"loki": {"storage_gb": -1}}}, "dynamodb.loki.storage_gb must be at least 0"),
        ({"preset": "huge"}, "Unknown usage preset 'huge'"),
        ({"version": 2}, "version must be 1"),
        (
            {"mimir": {"scrape_interval_seconds": None}},
            "mimir.scrape_interval_seconds cannot be null",
        ),
        (["a list"], "the usage file must be a YAML mapping"),
    ],
)
def test_bad_usage_is_one_sentence_naming_the_field(content: object, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        usage_from_mapping(content, "u.yaml")
    assert message in caught.value.message
    assert caught.value.message.startswith("u.yaml")
    assert caught.value.exit_code == ExitCode.USAGE


def test_unknown_preset_names_the_known_ones() -> None:
    with pytest.raises(UsageError, match="the presets are small, medium, large"):
        preset("huge")


def test_usage_file_that_is_not_yaml_says_where(tmp_path: Path) -> None:
    path = tmp_path / "usage.yaml"
    path.write_text("mimir: [unclosed\n")
    with pytest.raises(UsageError, match="is not valid YAML at line"):
        load_usage(path)


def test_missing_usage_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        load_usage(tmp_path / "nope.yaml")


def test_scaled_multiplies_every_volume_and_nothing_else() -> None:
    base = preset("small")
    double = base.scaled(2)
    assert double.mimir.active_series == 2 * base.mimir.active_series
    assert double.loki.read_gb_per_month == 2 * base.loki.read_gb_per_month
    assert double.dynamodb.loki.storage_gb == 2 * base.dynamodb.loki.storage_gb
    assert double.mimir.scrape_interval_seconds == base.mimir.scrape_interval_seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mimir: {active_series: .nan}", "mimir.active_series must be a finite number, got nan"),
        ("loki: {raw_gb_per_day: .inf}", "loki.raw_gb_per_day must be a finite number, got inf"),
        ("tempo: {tenants: .inf}", "tempo.tenants must be a finite number, got inf"),  # int field
        ("loki: {compression_ratio: -.inf}", "loki.compression_ratio must be a finite number"),
        (
            "kms: {bucket_key_request_reduction: .nan}",
            "kms.bucket_key_request_reduction must be a finite number, got nan",
        ),
        ("tempo: {read_gb_per_month: 1.0e+400}", "tempo.read_gb_per_month must be a finite number"),
        ("mimir: {read_request_kb: 0}", "mimir.read_request_kb must be greater than 0, got 0"),
        ("loki: {index_bytes_per_chunk: 0}", "loki.index_bytes_per_chunk must be greater than 0"),
    ],
)
def test_non_finite_and_dividing_zero_values_are_refused_when_the_file_is_loaded(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "usage.yaml"
    path.write_text(f"preset: medium\n{text}\n")
    with pytest.raises(UsageError) as caught:
        load_usage(path)
    assert caught.value.message.startswith(f"{path}: ")
    assert message in caught.value.message and "\n" not in caught.value.message
