"""Generate the inputs/outputs tables of each module README from variables.tf and outputs.tf.

    python scripts/tfdocs.py          # rewrite the tables between the markers
    python scripts/tfdocs.py --check  # exit 1 and name the README when a table is stale

The tables follow terraform-docs' markdown layout (Name, Description, Type, Default, Required),
between `<!-- BEGIN_TF_DOCS -->` and `<!-- END_TF_DOCS -->`. terraform-docs itself is a Go
binary that cannot be installed here, so this reads the HCL with a small scanner: blocks are
found by brace matching (strings and heredocs skipped), and type and default expressions are
kept as written.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"
_BLOCK = re.compile(r'^(variable|output)\s+"([^"]+)"\s*\{', re.MULTILINE)
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


def _skip_string(text: str, index: int) -> int:
    """Index just past the double-quoted string starting at `index`."""
    index += 1
    while text[index] != '"':
        index += 2 if text[index] == "\\" else 1
    return index + 1


def _block_body(text: str, open_brace: int) -> str:
    """The text between the brace at `open_brace` and its match."""
    depth, index = 0, open_brace
    while True:
        char = text[index]
        if char == '"':
            index = _skip_string(text, index)
            continue
        if char == "#":
            index = text.index("\n", index)
            continue
        if text.startswith("<<", index) and (heredoc := _HEREDOC.match(text, index)):
            end = re.compile(rf"^\s*{heredoc.group(1)}\s*$", re.MULTILINE).search(
                text, heredoc.end()
            )
            assert end is not None, "unterminated heredoc"
            index = end.end()
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[open_brace + 1 : index]
        index += 1


def _top_level_attribute(body: str, name: str) -> str | None:
    """The raw expression of `name = ...` at depth 0 of a block body (nested blocks skipped)."""
    depth, index, line_start = 0, 0, True
    while index < len(body):
        char = body[index]
        if char == '"':
            index = _skip_string(body, index)
            line_start = False
            continue
        if char in "{[(":
            depth += 1
        elif char in "}])":
            depth -= 1
        elif char == "\n":
            line_start = True
            index += 1
            continue
        if depth == 0 and line_start and not char.isspace():
            match = re.compile(rf"{name}\s*=\s*").match(body, index)
            if match:
                return _expression(body, match.end())
            line_start = False
        index += 1
    return None


def _expression(body: str, start: int) -> str:
    """From `start` to the end of the expression: the newline at depth 0 (or heredoc end)."""
    if heredoc := _HEREDOC.match(body, start):
        end = re.compile(rf"^\s*{heredoc.group(1)}\s*$", re.MULTILINE).search(body, heredoc.end())
        assert end is not None
        return body[start : end.end()]
    depth, index = 0, start
    while index < len(body):
        char = body[index]
        if char == '"':
            index = _skip_string(body, index)
            continue
        if char in "{[(":
            depth += 1
        elif char in "}])":
            depth -= 1
        elif char == "\n" and depth == 0:
            break
        index += 1
    return body[start:index].strip()


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
        text = path.read_text(encoding="utf-8")
        for match in _BLOCK.finditer(text):
            kind, name = match.groups()
            body = _block_body(text, match.end() - 1)
            description = _string_value(_top_level_attribute(body, "description"))
            if kind == "variable":
                variables.append(
                    Variable(
                        name=name,
                        description=description,
                        type=_top_level_attribute(body, "type") or "any",
                        default=_top_level_attribute(body, "default"),
                    )
                )
            else:
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
