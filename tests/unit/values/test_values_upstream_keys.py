"""Every key the generator writes exists upstream, for the chart or app version it targets.

The references are the allowlists in tests/fixtures/upstream, derived from the upstream files
by tools/extract_upstream_keys.py (the files themselves are not in the repository):

- chart values: the charts' values.yaml files (and the Loki chart's JSON schema);
- subtrees a chart copies verbatim into the app config (mimir.structuredConfig, loki.schemaConfig,
  loki.limits_config, loki.storage.s3.sse, storage.trace.s3, tempo.storage, ...): Mimir's config
  descriptor, Loki's configuration reference, Tempo's manifest;
- --format config files: the same app references.

Grafana's `datasources` is an open map in its chart (provisioning files have no upstream
reference in ../shared/upstream), so only its chart-level keys are checked.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from obsctl.model.contract import StackContract
from obsctl.values import CHARTS, ValuesOptions, render_checked
from obsctl.values.inputs import Rendered
from tools import extract_upstream_keys
from tools.keypaths import Allowlist, leaf_paths, unknown_keys

from .values_support import ALLOWLISTS, KAFKA, REPO, pod_identity, trusting

CHART_REFERENCE = {
    "mimir-distributed": "mimir-distributed-values",
    "loki": "loki-values",
    "tempo-distributed": "tempo-distributed-values",
    "tempo": "tempo-values",
    "grafana": "grafana-values",
}
CONFIG_REFERENCE = {"mimir": "mimir-config", "loki": "loki-config", "tempo": "tempo-config"}
SCENARIOS = {
    "helm, Kafka, tempo-distributed": ValuesOptions(kafka_address=KAFKA),
    "helm, classic Mimir, monolithic Tempo": ValuesOptions(tempo_chart="monolithic"),
    "config": ValuesOptions(output_format="config"),
    "config with Kafka": ValuesOptions(output_format="config", kafka_address=KAFKA),
}
UPSTREAM = REPO.parent / "shared" / "upstream"


def reference_for(item: Rendered) -> str:
    if item.kind == "helm":
        return CHART_REFERENCE[item.chart.name]
    return CONFIG_REFERENCE[item.app]


def contracts(dev: StackContract, prod: StackContract) -> dict[str, StackContract]:
    extra_accounts = trusting(dev, "mimir", "mimir", "mimir", "mimir-ruler", "mimir-alertmanager")
    return {
        "dev": dev,
        "prod": prod,
        "dev, Mimir ruler and alertmanager accounts": extra_accounts,
        "dev, Pod Identity": pod_identity(pod_identity(dev, "loki"), "grafana"),
    }


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_generated_key_exists_in_the_upstream_reference(
    scenario: str,
    dev_contract: StackContract,
    prod_contract: StackContract,
    allowlists: dict[str, Allowlist],
) -> None:
    problems: list[str] = []
    checked = 0
    for name, contract in contracts(dev_contract, prod_contract).items():
        for item in render_checked(contract, SCENARIOS[scenario]).values():
            reference = allowlists[reference_for(item)]
            problems += [f"{name}, {p}" for p in unknown_keys(item.tree, reference, allowlists)]
            checked += len(list(leaf_paths(item.tree)))
    assert checked > 50
    assert problems == []


def test_a_misspelt_key_is_reported_with_the_reference_that_lacks_it(
    dev_contract: StackContract, allowlists: dict[str, Allowlist]
) -> None:
    rendered = render_checked(dev_contract, ValuesOptions(kafka_address=KAFKA))
    mimir = rendered["mimir"].tree
    mimir["mimir"]["structuredConfig"]["blocks_storage"]["s3"]["bucketname"] = "x"
    mimir["serviceAcount"] = {"create": True}
    tempo = rendered["tempo"].tree
    tempo["storage"]["trace"]["s3"]["sse"]["kms_key"] = "x"
    loki = rendered["loki"].tree
    loki["loki"]["schemaConfig"]["configs"][0]["schemas"] = "v13"
    found = [
        problem
        for item in (rendered["mimir"], rendered["tempo"], rendered["loki"])
        for problem in unknown_keys(item.tree, allowlists[reference_for(item)], allowlists)
    ]
    assert found == [
        "mimir-distributed-values: mimir.structuredConfig.blocks_storage.s3.bucketname "
        "(not in mimir-config as blocks_storage.s3.bucketname)",
        "mimir-distributed-values: serviceAcount.create",
        "tempo-distributed-values: storage.trace.s3.sse.kms_key "
        "(not in tempo-config as storage.trace.s3.sse.kms_key)",
        "loki-values: loki.schemaConfig.configs[0].schemas "
        "(not in loki-config as schema_config.configs[0].schemas)",
    ]


def test_each_chart_subtree_handed_to_the_app_is_checked_against_the_app_reference(
    allowlists: dict[str, Allowlist],
) -> None:
    passthroughs = {
        (name, p.to_line().split(" ", 1)[1])
        for name, allowlist in allowlists.items()
        for p in allowlist.passthroughs
    }
    assert {
        ("mimir-distributed-values", "mimir.structuredConfig -> mimir-config:"),
        ("loki-values", "loki.storage.s3.sse -> loki-config:common.storage.s3.sse"),
        ("loki-values", "loki.schemaConfig -> loki-config:schema_config"),
        ("loki-values", "loki.compactor -> loki-config:compactor"),
        ("loki-values", "loki.limits_config -> loki-config:limits_config"),
        ("tempo-distributed-values", "storage.trace.s3 -> tempo-config:storage.trace.s3"),
        ("tempo-values", "tempo.storage -> tempo-2-config:storage"),
    } <= passthroughs


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_each_chart_is_checked_against_values_of_the_major_version_it_installs(
    chart: str, allowlists: dict[str, Allowlist]
) -> None:
    header = allowlists[CHART_REFERENCE[chart]].header[0]
    version = re.search(r"chart (\d+)\.\d+\.\d+", header)
    assert version is not None, header
    assert int(version.group(1)) == CHARTS[chart].major


def test_mimir_values_repeat_the_charts_classic_architecture_preset(
    dev_contract: StackContract,
) -> None:
    preset = {}
    for line in (ALLOWLISTS / "mimir-classic-architecture.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            path, _, value = line.partition(" = ")
            preset[path] = json.loads(value)
    values = render_checked(dev_contract, ValuesOptions(tempo_chart="monolithic"))["mimir"].tree
    assert len(preset) >= 5
    for path, expected in preset.items():
        node: Any = values
        for key in path.split("."):
            assert isinstance(node, dict) and key in node, f"{path} missing"
            node = node[key]
        assert node == expected, path


@pytest.mark.skipif(
    not (UPSTREAM / "SOURCES.tsv").is_file(),
    reason=f"{UPSTREAM} (the upstream reference files) is absent, as on a clean clone in CI; "
    "the committed allowlists are used as they are",
)
def test_allowlists_are_fresh_derivations_of_the_upstream_files() -> None:
    """Fails when an upstream file changed (or the extractor did) without re-running
    `.venv/bin/python -m tools.extract_upstream_keys`."""
    derived = extract_upstream_keys.derive_all(UPSTREAM)
    committed = {path.name: path.read_text() for path in ALLOWLISTS.glob("*.txt")}
    assert sorted(derived) == sorted(committed)
    stale = [name for name, text in derived.items() if committed[name] != text]
    assert stale == []


def test_allowlists_name_their_upstream_commit(allowlists: dict[str, Allowlist]) -> None:
    for name, allowlist in allowlists.items():
        sources = [line for line in allowlist.header if re.search(r"@[0-9a-f]{40}:", line)]
        assert sources, f"{name} names no upstream commit"
        assert len(allowlist.patterns) > 100, name
