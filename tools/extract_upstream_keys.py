#!/usr/bin/env python3
"""Derive the key allowlists in tests/fixtures/upstream/ from the upstream reference files.

The reference files (Mimir's config descriptor, Loki's configuration reference and chart schema,
Tempo's manifests, the charts' values files) are AGPL/Apache-licensed and stay out of the
repository. What the tests need from them is a fact: which key paths exist. This script walks
each file and writes only those paths, one per line, with a header naming the upstream commit
(from SOURCES.tsv), so CI on a clean clone can validate generated values without the files.

    .venv/bin/python -m tools.extract_upstream_keys            # rewrite the allowlists
    .venv/bin/python -m tools.extract_upstream_keys --check    # exit 1 when they are stale

The upstream folder is --upstream, else $OBSCTL_UPSTREAM_DIR, else ../shared/upstream beside the
repository.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tools.keypaths import (
    ANY_BELOW,
    ANY_KEY,
    LIST_ITEM,
    Allowlist,
    Passthrough,
    format_path,
    leaf_paths,
    parse_pattern,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "tests" / "fixtures" / "upstream"
DEFAULT_UPSTREAM = REPO_ROOT.parent / "shared" / "upstream"
UPSTREAM_ENV = "OBSCTL_UPSTREAM_DIR"

Pattern = tuple[str, ...]


# --------------------------------------------------------------------------------------------
# Provenance
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    file: str
    repo: str
    path: str
    commit: str


def read_sources(upstream: Path) -> dict[str, Source]:
    with (upstream / "SOURCES.tsv").open(newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {
            row["file"]: Source(row["file"], row["repo"], row["path"], row["commit"])
            for row in rows
        }


def header(name: str, what: str, sources: list[Source], notes: tuple[str, ...] = ()) -> tuple:
    lines = [
        f'obsctl key allowlist "{name}": {what}.',
        "Facts only (which key paths exist), derived by tools/extract_upstream_keys.py from:",
    ]
    lines += [f"  {s.repo}@{s.commit}:{s.path} (local copy {s.file})" for s in sources]
    lines += list(notes)
    lines += [
        'Syntax: keys joined by "."; "*" any map key; "[]" any list item; "**" anything below;',
        "keys with other characters than [A-Za-z0-9_/-] are JSON-quoted. Regenerate, never edit.",
    ]
    return tuple(lines)


# --------------------------------------------------------------------------------------------
# YAML trees (chart values files, Tempo's manifest)
# --------------------------------------------------------------------------------------------


def yaml_patterns(tree: Any, prefix: Pattern = ()) -> Iterator[Pattern]:
    """Paths of a defaults tree. Empty maps and lists hold anything (annotations: {}, ...)."""
    if isinstance(tree, Mapping):
        if not tree:
            yield (*prefix, ANY_BELOW)
            return
        for key, value in tree.items():
            yield from yaml_patterns(value, (*prefix, str(key)))
    elif isinstance(tree, list):
        items = [item for item in tree if isinstance(item, Mapping)]
        if items:
            for item in items:
                yield from yaml_patterns(item, (*prefix, LIST_ITEM))
        elif not tree:
            yield (*prefix, LIST_ITEM, ANY_BELOW)
        else:
            yield prefix
    else:
        yield prefix


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def manifest_tree(path: Path) -> Any:
    """The single ```yaml block of a Tempo manifest.md (the full default configuration)."""
    blocks = re.findall(r"```yaml\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
    if len(blocks) != 1:
        raise SystemExit(f"{path.name}: expected one yaml block, found {len(blocks)}")
    return yaml.safe_load(blocks[0])


# --------------------------------------------------------------------------------------------
# Mimir: cmd/mimir/config-descriptor.json
# --------------------------------------------------------------------------------------------


def descriptor_patterns(node: Mapping[str, Any], prefix: Pattern = ()) -> Iterator[Pattern]:
    kind = node["kind"]
    if kind == "block":
        for entry in node.get("blockEntries") or []:
            name = entry["name"]
            yield from descriptor_patterns(entry, (*prefix, name) if name else prefix)
        return
    element = node.get("fieldElement")
    field_type = str(node.get("fieldType") or "")
    if kind == "map":  # a map of name -> block (limits.cost_attribution_trackers, ...)
        if element:
            yield from descriptor_patterns(element, (*prefix, ANY_KEY))
        else:
            yield (*prefix, ANY_KEY)
    elif element and element.get("kind") == "block":  # a slice of blocks
        yield from descriptor_patterns(element, (*prefix, LIST_ITEM))
    elif field_type.startswith("map of"):
        yield (*prefix, ANY_KEY)
    elif field_type.endswith("..."):  # e.g. relabel_config...: a Prometheus type, not Mimir's
        yield (*prefix, ANY_BELOW)
    else:
        yield prefix


# --------------------------------------------------------------------------------------------
# Loki: docs/sources/shared/configuration.md (doc-generator format)
# --------------------------------------------------------------------------------------------

_LOKI_ROOT_SECTION = "Supported contents and default values of `loki.yaml`"
_LOKI_SCALARS = {
    "string", "int", "duration", "boolean", "float", "url", "time", "daytime", "list of strings",
    "list of durations", "Regexp", "Time", "int64", "uint64",
}  # fmt: skip


@dataclass(frozen=True)
class DocEntry:
    key: str  # "" for an inline block ([<name>])
    type: str | None  # the <type> of a [key: <type>] line; None for a nested "key:" block
    children: tuple[DocEntry, ...] = ()


def loki_sections(text: str) -> dict[str, tuple[DocEntry, ...]]:
    """Each `### name` section's definition block, parsed into entries."""
    sections: dict[str, tuple[DocEntry, ...]] = {}
    for chunk in re.split(r"^#{2,3} ", text, flags=re.M)[1:]:
        name = chunk.split("\n", 1)[0].strip()
        if name != _LOKI_ROOT_SECTION and not re.fullmatch(r"[a-z0-9_]+", name):
            continue  # prose sections (examples, explanations)
        for body in re.findall(r"```yaml\n(.*?)```", chunk, re.S):
            first = next((line for line in body.splitlines() if line.strip()), "")
            if first and not first[0].isspace():  # examples are indented; definitions are not
                sections[name] = parse_doc_block(body, name)
                break
    return sections


def parse_doc_block(body: str, section: str) -> tuple[DocEntry, ...]:
    root: list[Any] = []
    stack: list[tuple[int, list[Any], str | None]] = [(-1, root, None)]
    for line in body.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        while indent <= stack[-1][0]:
            stack.pop()
        siblings = stack[-1][1]
        if match := re.fullmatch(r"([A-Za-z0-9_-]+):", stripped):
            children: list[Any] = []
            siblings.append((match.group(1), None, children))
            stack.append((indent, children, match.group(1)))
        elif match := re.fullmatch(r"\[([A-Za-z0-9_-]*): <(.*?)>.*\]", stripped):
            siblings.append((match.group(1), match.group(2).strip(), []))
        elif match := re.fullmatch(r"\[<([A-Za-z0-9_]+)>\]", stripped):
            siblings.append(("", match.group(1), []))
        else:
            raise SystemExit(f"loki configuration, section {section}: unparsed line {stripped!r}")
    return _freeze(root)


def _freeze(items: list[Any]) -> tuple[DocEntry, ...]:
    return tuple(DocEntry(key, kind, _freeze(children)) for key, kind, children in items)


def loki_patterns(sections: Mapping[str, tuple[DocEntry, ...]]) -> set[Pattern]:
    patterns: set[Pattern] = set()

    def block_name(type_name: str) -> str | None:
        for candidate in (type_name, type_name.removesuffix("s")):
            if candidate in sections:
                return candidate
        return None

    def expand(entries: tuple[DocEntry, ...], prefix: Pattern, seen: tuple[str, ...]) -> None:
        for entry in entries:
            path = (*prefix, entry.key) if entry.key else prefix
            if entry.type is None:
                patterns.add(path)
                expand(entry.children, path, seen)
            elif entry.key == "":  # [<block>] inline, or [: <map ...>] anonymous map
                expand_type(entry.type, prefix, seen)
            else:
                expand_type(entry.type, path, seen)

    def expand_type(type_name: str, path: Pattern, seen: tuple[str, ...]) -> None:
        if type_name in _LOKI_SCALARS:
            patterns.add(path)
            return
        if name := block_name(type_name):
            if name in seen:
                raise SystemExit(f"loki configuration: block {name} includes itself")
            patterns.add(path)
            expand(sections[name], path, (*seen, name))
            return
        if type_name.startswith("list of "):
            if name := block_name(type_name.removeprefix("list of ")):
                expand(sections[name], (*path, LIST_ITEM), (*seen, name))
            else:
                patterns.add((*path, LIST_ITEM, ANY_BELOW))
            return
        if type_name.startswith("map of string to"):
            value = type_name.removeprefix("map of string to").strip()
            if value in _LOKI_SCALARS or value == "":
                patterns.add((*path, ANY_KEY))
            elif name := block_name(value):
                expand(sections[name], (*path, ANY_KEY), (*seen, name))
            else:
                patterns.add((*path, ANY_KEY, ANY_BELOW))
            return
        # A type documented elsewhere (relabel_config..., RemoteWriteConfig, headers, ...).
        patterns.add((*path, ANY_BELOW))

    expand(sections[_LOKI_ROOT_SECTION], (), ())
    return patterns


# --------------------------------------------------------------------------------------------
# Loki chart: values.schema.json, falling back to values.yaml where the schema is open
# --------------------------------------------------------------------------------------------


def schema_patterns(schema: Mapping[str, Any], values: Any) -> set[Pattern]:
    """Paths the chart schema declares. Where the schema leaves an object open (no properties,
    `skipProperties`), the keys of values.yaml at that place are used instead, so a typo under
    `loki.storage` is still caught; a `{}` there holds anything."""
    defs = schema.get("$defs", {})
    patterns: set[Pattern] = set()

    def resolve(node: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in node:
            pointer = node["$ref"].removeprefix("#/").split("/")
            target: Any = {"$defs": defs}
            for part in pointer:
                target = target[part]
            node = target
        return node

    def walk(node: Mapping[str, Any], path: Pattern, defaults: Any) -> None:
        node = resolve(node)
        for part in node.get("allOf", []):
            walk(part, path, defaults)
        types = node.get("type")
        types = set(types) if isinstance(types, list) else {types}
        properties = node.get("properties")
        extra = node.get("additionalProperties")
        if properties:
            for key, child in properties.items():
                child_default = defaults.get(key) if isinstance(defaults, Mapping) else None
                walk(child, (*path, key), child_default)
            if extra is True and isinstance(defaults, Mapping):
                for key, value in defaults.items():
                    if key not in properties:
                        patterns.update(yaml_patterns(value, (*path, key)))
            return
        if "object" in types or extra is not None:
            if isinstance(extra, Mapping) and extra:
                walk(extra, (*path, ANY_KEY), None)
            elif isinstance(defaults, Mapping) and defaults:
                patterns.update(yaml_patterns(defaults, path))
            else:
                patterns.add((*path, ANY_BELOW))
            return
        if "array" in types:
            items = node.get("items")
            if isinstance(items, Mapping) and (items.get("properties") or "$ref" in items):
                walk(items, (*path, LIST_ITEM), None)
            elif isinstance(items, Mapping) and items.get("type") == "object":
                patterns.add((*path, LIST_ITEM, ANY_BELOW))
            else:
                patterns.add(path)
            return
        patterns.add(path)

    walk(schema, (), values)
    return patterns


# --------------------------------------------------------------------------------------------
# Chart template facts that values.yaml does not show
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """A key a chart template reads although values.yaml only mentions it in a comment, or a
    subtree the template copies into the application config. `evidence` must occur in the
    upstream file (so a changed chart makes the extraction fail); `citation` says where the
    fact was read when the evidence is a template outside the copied files."""

    file: str
    path: str
    evidence: str | None
    citation: str
    passthrough: tuple[str, str] | None = None  # (reference name, path in the app config)


FACTS = (
    # Loki chart: `loki.storage.bucketNames` is commented out in values.yaml; _helpers.tpl
    # requires it ("Please define loki.storage.bucketNames.chunks").
    Fact("loki-community-chart-18.11.0-values.yaml", "loki.storage.bucketNames.chunks",
         "#   chunks: FIXME", "values.yaml comment; _helpers.tpl `required`"),
    Fact("loki-community-chart-18.11.0-values.yaml", "loki.storage.bucketNames.ruler",
         "#   ruler: FIXME", "values.yaml comment; _helpers.tpl `required`"),
    Fact("loki-community-chart-18.11.0-values.yaml", "loki.storage.s3.sse", None,
         "_helpers.tpl loki.lokiStorageConfig.s3 copies `sse` into common.storage.s3 "
         "(reference/lgtm-requirements.md section 3)",
         ("loki-config", "common.storage.s3.sse")),
    # Loki chart: loki.config templates copy these values subtrees verbatim.
    *(
        Fact("loki-community-chart-18.11.0-values.yaml", f"loki.{key}",
             f"{{{{- with .Values.loki.{key} }}}}\n    {target}:",
             "loki.config template in values.yaml", ("loki-config", target))
        for key, target in (
            ("limits_config", "limits_config"), ("compactor", "compactor"),
            ("storage_config", "storage_config"), ("ingester", "ingester"),
            ("querier", "querier"),
            ("distributor", "distributor"), ("frontend", "frontend"),
        )
    ),
    Fact("loki-community-chart-18.11.0-values.yaml", "loki.schemaConfig",
         "schema_config:\n    {{- toYaml .Values.loki.schemaConfig",
         "loki.config template in values.yaml", ("loki-config", "schema_config")),
    Fact("loki-community-chart-18.11.0-values.yaml", "loki.structuredConfig",
         "structuredConfig: {}", "values.yaml: takes precedence over loki.config",
         ("loki-config", "")),
    # Mimir chart: structuredConfig is merged over the rendered mimir.config.
    Fact("mimir-distributed-6.3.0-weekly.408-values.yaml", "mimir.structuredConfig",
         "structuredConfig: {}", "values.yaml: structured values on top of mimir.config",
         ("mimir-config", "")),
    # tempo-distributed: storage.trace.s3 is commented out in values.yaml and copied verbatim.
    Fact("tempo-distributed-3.3.0-values.yaml", "storage.trace.s3",
         "s3:\n        {{- toYaml .Values.storage.trace.s3",
         "config template in values.yaml", ("tempo-config", "storage.trace.s3")),
    Fact("tempo-distributed-3.3.0-values.yaml", "tempo.structuredConfig",
         "structuredConfig: {}", "values.yaml: structured tempo configuration",
         ("tempo-config", "")),
    # Tempo monolithic chart: tempo.storage is copied verbatim into the config's storage.
    Fact("tempo-monolithic-chart-2.2.4-values.yaml", "tempo.storage",
         "storage:\n      {{- toYaml .Values.tempo.storage",
         "config template in values.yaml", ("tempo-2-config", "storage")),
    # Grafana chart: serviceAccount.annotations is commented out in values.yaml.
    Fact("grafana-chart-12.11.1-values.yaml", "serviceAccount.annotations.*",
         "#  annotations:\n  #    eks.amazonaws.com/role-arn",
         "values.yaml comment (the IRSA example)"),
)  # fmt: skip


def apply_facts(upstream: Path, file: str, patterns: set[Pattern]) -> tuple[Passthrough, ...]:
    text = (upstream / file).read_text(encoding="utf-8")
    passthroughs: list[Passthrough] = []
    for fact in FACTS:
        if fact.file != file:
            continue
        if fact.evidence is not None and fact.evidence not in text:
            raise SystemExit(
                f"{file}: the chart changed, {fact.path} is no longer evidenced by "
                f"{fact.evidence!r} ({fact.citation}); review FACTS in this script"
            )
        path = parse_pattern(fact.path)
        patterns.add(path)
        if fact.passthrough:
            reference, target = fact.passthrough
            passthroughs.append(
                Passthrough(path, reference, parse_pattern(target) if target else ())
            )
    return tuple(passthroughs)


# --------------------------------------------------------------------------------------------
# The allowlists
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Output:
    name: str  # also the file name without .txt, and the reference name of passthroughs
    what: str
    files: tuple[str, ...]


OUTPUTS = (
    Output("mimir-config", "Mimir 3.2.x configuration (main, 2026-08-21)",
           ("mimir-main-config-descriptor.json",)),
    Output("mimir-distributed-values", "mimir-distributed chart 6.3.0-weekly.408 values",
           ("mimir-distributed-6.3.0-weekly.408-classic-architecture.yaml",
            "mimir-distributed-6.3.0-weekly.408-values.yaml")),
    Output("loki-config", "Loki 3.7.6 configuration",
           ("loki-v3.7.6-configuration.md",)),
    Output("loki-values", "loki chart 18.11.0 (grafana-community) values",
           ("loki-community-chart-18.11.0-values.schema.json",
            "loki-community-chart-18.11.0-values.yaml")),
    Output("tempo-config", "Tempo 3.0.3 configuration",
           ("tempo-v3.0.3-manifest.md",)),
    Output("tempo-2-config", "Tempo 2.10.8 configuration (the monolithic chart's app)",
           ("tempo-v2.10.8-manifest.md",)),
    Output("tempo-distributed-values", "tempo-distributed chart 3.3.0 (grafana-community) values",
           ("tempo-distributed-3.3.0-values.yaml",)),
    Output("tempo-values", "tempo (monolithic) chart 2.2.4 (grafana-community) values",
           ("tempo-monolithic-chart-2.2.4-values.yaml",)),
    Output("grafana-values", "grafana chart 12.11.1 (grafana-community) values",
           ("grafana-chart-12.11.1-values.yaml",)),
)  # fmt: skip


def derive(upstream: Path, output: Output) -> Allowlist:
    main = output.files[-1]
    patterns: set[Pattern]
    passthroughs: tuple[Passthrough, ...] = ()
    if output.name == "mimir-config":
        descriptor = json.loads((upstream / main).read_text(encoding="utf-8"))
        patterns = set(descriptor_patterns(descriptor))
    elif output.name == "loki-config":
        patterns = loki_patterns(loki_sections((upstream / main).read_text(encoding="utf-8")))
    elif output.name in ("tempo-config", "tempo-2-config"):
        patterns = set(yaml_patterns(manifest_tree(upstream / main)))
    elif output.name == "loki-values":
        schema = json.loads((upstream / output.files[0]).read_text(encoding="utf-8"))
        patterns = schema_patterns(schema, load_yaml(upstream / main))
        passthroughs = apply_facts(upstream, main, patterns)
    else:  # values files; a preset's keys (Mimir's classic architecture) are chart keys too
        patterns = set()
        for file in output.files:
            patterns.update(yaml_patterns(load_yaml(upstream / file)))
        passthroughs = apply_facts(upstream, main, patterns)
    patterns.discard(())
    sources = read_sources(upstream)
    missing = [file for file in output.files if file not in sources]
    if missing:
        raise SystemExit(f"SOURCES.tsv does not list {', '.join(missing)}")
    notes = tuple(
        f"Template fact: {fact.path} ({fact.citation})"
        for fact in FACTS
        if fact.file in output.files
    )
    return Allowlist(
        output.name,
        frozenset(patterns),
        passthroughs,
        header(output.name, output.what, [sources[f] for f in output.files], notes),
    )


PRESET_FILE = "mimir-distributed-6.3.0-weekly.408-classic-architecture.yaml"
PRESET_NAME = "mimir-classic-architecture"


def preset_text(upstream: Path) -> str:
    """The classic-architecture preset of mimir-distributed as `path = JSON value` lines: the
    facts obsctl's Mimir values must repeat when no Kafka broker is given."""
    tree = load_yaml(upstream / PRESET_FILE)
    source = read_sources(upstream)[PRESET_FILE]
    lines = [
        f'obsctl preset "{PRESET_NAME}": what the chart\'s classic-architecture preset sets.',
        "Facts only (key paths and their values), derived by tools/extract_upstream_keys.py from:",
        f"  {source.repo}@{source.commit}:{source.path} (local copy {source.file})",
        "Syntax: <key path> = <JSON value>. Regenerate, never edit.",
    ]
    body = []
    for path in leaf_paths(tree):
        value: Any = tree
        for segment in path:
            value = value[segment]
        body.append(f"{format_path(path)} = {json.dumps(value)}")
    return "\n".join([*(f"# {line}" for line in lines), *sorted(body)]) + "\n"


def derive_all(upstream: Path) -> dict[str, str]:
    """File name -> text of every allowlist (and of the Mimir classic preset)."""
    texts = {f"{output.name}.txt": derive(upstream, output).to_text() for output in OUTPUTS}
    texts[f"{PRESET_NAME}.txt"] = preset_text(upstream)
    return texts


def upstream_dir(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return explicit
    if override := os.environ.get(UPSTREAM_ENV):
        return Path(override)
    return DEFAULT_UPSTREAM


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream", type=Path, help="folder of the upstream reference files")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the lists go")
    parser.add_argument("--check", action="store_true", help="fail when a list is stale")
    args = parser.parse_args(argv)
    upstream = upstream_dir(args.upstream)
    if not (upstream / "SOURCES.tsv").is_file():
        print(f"extract_upstream_keys: {upstream}/SOURCES.tsv not found", file=sys.stderr)
        return 2
    stale = []
    for name, text in derive_all(upstream).items():
        target = args.out / name
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current == text:
            continue
        stale.append(name)
        if not args.check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    if args.check and stale:
        print(f"stale allowlists: {', '.join(stale)} (re-run without --check)", file=sys.stderr)
        return 1
    verb = "would update" if args.check else "updated"
    print(f"{verb} {len(stale)} of {len(OUTPUTS) + 1} files in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
