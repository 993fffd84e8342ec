"""Generate the inputs/outputs tables of each module README from variables.tf and outputs.tf.

    python scripts/tfdocs.py          # rewrite the tables between the markers
    python scripts/tfdocs.py --check  # exit 1 and name the README when a table is stale

The tables follow terraform-docs' markdown layout (Name, Description, Type, Default, Required),
between `<!-- BEGIN_TF_DOCS -->` and `<!-- END_TF_DOCS -->`. terraform-docs itself is a Go
binary that cannot be installed here, so this reads the HCL with python-hcl2's parser and
keeps type and default expressions as written (each node of python-hcl2 8's parse tree spans its
source).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import hcl2
from lark import Tree

REPO = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"
_HEREDOC = re.compile(r"<<-?([A-Z]+)\n")


@dataclass
class Variable:
    name: str
    description: str
    type: str
    default: str | None


@dataclass
class Output:
    name: str
    description: str


def _text(source: str, node: Tree) -> str:
    """The source text of a parsed node, as written."""
    return source[node.meta.start_pos : node.meta.end_pos]


def _subtrees(node: Tree) -> list[Tree]:
    return [child for child in node.children if isinstance(child, Tree)]


def _blocks(source: str) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(kind, first label, top-level attributes as written) of each top-level block."""
    (body,) = _subtrees(hcl2.parses_to_tree(source))
    for block in _subtrees(body):
        if block.data != "block":
            continue
        kind, *labels, inner = _subtrees(block)
        attributes = {}
        for attribute in _subtrees(inner):
            if attribute.data == "attribute":
                key, expression = _subtrees(attribute)
                attributes[_text(source, key)] = _text(source, expression)
        yield _text(source, kind), _text(source, labels[0]).strip('"') if labels else "", attributes


def _string_value(expression: str | None) -> str:
    if expression is None:
        return ""
    if heredoc := _HEREDOC.match(expression):
        lines = expression[heredoc.end() :].splitlines()[:-1]
        return " ".join(line.strip() for line in lines).strip()
    return expression.strip().strip('"').replace('\\"', '"')


def read_module(module: Path) -> tuple[list[Variable], list[Output]]:
    variables, outputs = [], []
    for path in sorted(module.glob("*.tf")):
        for kind, name, attributes in _blocks(path.read_text(encoding="utf-8")):
            description = _string_value(attributes.get("description"))
            if kind == "variable":
                variables.append(
                    Variable(
                        name=name,
                        description=description,
                        type=attributes.get("type") or "any",
                        default=attributes.get("default"),
                    )
                )
            elif kind == "output":
                outputs.append(Output(name=name, description=description))
    return sorted(variables, key=lambda v: v.name), sorted(outputs, key=lambda o: o.name)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def _code(text: str) -> str:
    if "\n" in text:
        return "<pre>" + _cell(text).replace("<br>", "<br>") + "</pre>"
    return f"`{text}`"


def render(variables: list[Variable], outputs: list[Output]) -> str:
    lines = ["## Inputs", ""]
    if variables:
        lines += [
            "| Name | Description | Type | Default | Required |",
            "|------|-------------|------|---------|:--------:|",
        ]
        for v in variables:
            default = "n/a" if v.default is None else _code(v.default)
            required = "yes" if v.default is None else "no"
            lines.append(
                f'| <a name="input_{v.name}"></a> [{v.name}](#input\\_{v.name}) | '
                f"{_cell(v.description)} | {_code(v.type)} | {default} | {required} |"
            )
    else:
        lines.append("No inputs.")
    lines += ["", "## Outputs", ""]
    if outputs:
        lines += ["| Name | Description |", "|------|-------------|"]
        for o in outputs:
            lines.append(
                f'| <a name="output_{o.name}"></a> [{o.name}](#output\\_{o.name}) | '
                f"{_cell(o.description)} |"
            )
    else:
        lines.append("No outputs.")
    return "\n".join(lines)


def update_readme(readme: Path, tables: str) -> str:
    text = readme.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{readme} has no {BEGIN} ... {END} markers")
    before, rest = text.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    return f"{before}{BEGIN}\n{tables}\n{END}{after}"


def documented_roots() -> list[Path]:
    return sorted(
        p.parent
        for p in (REPO / "terraform").glob("**/README.md")
        if BEGIN in p.read_text(encoding="utf-8") and list(p.parent.glob("*.tf"))
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when a table is stale")
    args = parser.parse_args(argv)
    stale = []
    for module in documented_roots():
        readme = module / "README.md"
        updated = update_readme(readme, render(*read_module(module)))
        if updated != readme.read_text(encoding="utf-8"):
            stale.append(readme.relative_to(REPO))
            if not args.check:
                readme.write_text(updated, encoding="utf-8")
    if args.check and stale:
        print(
            "stale inputs/outputs tables (run python scripts/tfdocs.py): "
            + ", ".join(map(str, stale)),
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
