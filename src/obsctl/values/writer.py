"""Writing the rendered trees: deterministic YAML with a header, and the README (readme.py)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from obsctl.model.contract import StackContract
from obsctl.values.inputs import Rendered
from obsctl.values.options import ValuesOptions
from obsctl.values.readme import APP_TITLES, origin, readme_text

README = "README.md"
_GENERATED_MARK = "from the stack contract of env"
_HEADER_PEEK = 1024


class _Dumper(yaml.SafeDumper):
    """Block style, list items indented under their key, no &anchors for repeated maps."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def dump_yaml(tree: Mapping[str, Any]) -> str:
    """YAML in the trees' own key order (the renderers build it on purpose), never wrapped."""
    return yaml.dump(
        dict(tree),
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        width=10_000,
        allow_unicode=True,
    )


def file_header(item: Rendered, contract: StackContract, generated_by: str) -> str:
    if item.kind == "helm":
        lines = [
            f"Helm values for {item.chart.reference} {item.version}: release {item.release} in "
            f"namespace {item.namespace}.",
            origin(contract, generated_by),
            "Do not edit: re-run the command after each apply, and put your own values in a "
            f"file passed with --set-file {item.app}=FILE (merged last).",
        ]
    else:
        app = APP_TITLES[item.app]
        lines = [
            f"{app} configuration: the settings that wire {app} to the stack's buckets, KMS key "
            "and retention. Merge them into your own configuration file.",
            origin(contract, generated_by),
        ]
        if item.app == "tempo" and "ingest" not in item.tree:
            lines.append(
                "No Kafka address was given: this suits Tempo 3 as a single binary (target: "
                "all); microservices need ingest.kafka (--kafka-address)."
            )
    return "".join(f"# {line}\n" for line in lines)


def file_text(item: Rendered, contract: StackContract, generated_by: str) -> str:
    return file_header(item, contract, generated_by) + dump_yaml(item.tree)


def write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def remove_stale_files(out_dir: Path, keep: set[str]) -> None:
    """Drop files an earlier run wrote for another format or app, so the folder matches its
    README. Only files obsctl generated (by name and header) are touched."""
    for app in APP_TITLES:
        for name in (f"{app}-values.yaml", f"{app}.yaml"):
            path = out_dir / name
            if name in keep or not path.is_file():
                continue
            with path.open(encoding="utf-8") as handle:
                head = handle.read(_HEADER_PEEK)
            if _GENERATED_MARK in head:
                path.unlink()


def remove_stale_cluster_folders(out_dir: Path, keep: set[str]) -> None:
    """Drop the per-cluster folders an earlier run wrote for clusters the stack no longer has
    (or all of them, when it has one cluster again): only their generated files go, and the
    folder when nothing else is left in it."""
    if not out_dir.is_dir():
        return
    for folder in sorted(p for p in out_dir.iterdir() if p.is_dir() and p.name not in keep):
        readme = folder / README
        if not readme.is_file() or _GENERATED_MARK not in readme.read_text(encoding="utf-8"):
            continue
        remove_stale_files(folder, set())
        readme.unlink()
        if not any(folder.iterdir()):
            folder.rmdir()


def write_rendered(
    rendered: Mapping[str, Rendered],
    contract: StackContract,
    options: ValuesOptions,
    out_dir: Path,
    generated_by: str = "obsctl values",
) -> list[Path]:
    """Write one file per app plus README.md; return their paths (README last)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_files(out_dir, {item.file_name for item in rendered.values()})
    if contract.scope is None:
        remove_stale_cluster_folders(out_dir, set())
    written: list[Path] = []
    for item in rendered.values():
        path = out_dir / item.file_name
        write_atomic(path, file_text(item, contract, generated_by))
        written.append(path)
    readme = out_dir / README
    write_atomic(readme, readme_text(rendered, contract, options, generated_by))
    written.append(readme)
    return written
