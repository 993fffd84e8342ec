"""Regenerate the tables of docs/limits.md from the limits table (src/obsctl/limits/table.yaml).

    .venv/bin/python scripts/limits_docs.py            # rewrite docs/limits.md in place
    .venv/bin/python scripts/limits_docs.py --check    # exit 1 if docs/limits.md is out of date

Each table sits between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`; the text around
them is written by hand.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from obsctl.limits import Limit, table

DOC = Path(__file__).resolve().parents[1] / "docs" / "limits.md"
SEEN = {
    "documented": "documented by AWS",
    "observed": "AWS's answer as reported in public",
    "model": "the API model's validation",
    "emulators": "what S3-compatible services answer",
    "local": "the local AWS's wording (AWS documents the limit only)",
    "none": "not an AWS error",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip() or "-"


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def limit_text(row: Limit) -> str:
    value = row.limit
    if isinstance(value, Mapping):
        parts = []
        for key, item in value.items():
            shown = ", ".join(map(str, item)) if isinstance(item, list) else _number(item)
            parts.append(f"{key.replace('_', ' ')}: {shown}")
        text = "; ".join(parts)
    else:
        text = _number(value)
    return text + (" (quota)" if row.quota else "")


def limits_table() -> str:
    lines = [
        "| Row | Limit | How AWS counts | AWS answers | Terraform validation | "
        "`obsctl plan` / `up` | Local AWS |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in table():
        error = f"`{row.aws_error.code}`" if row.aws_error.code else "-"
        lines.append(
            "| "
            + " | ".join(
                [
                    f"`{row.id}`: {_cell(row.title)}",
                    _cell(limit_text(row)),
                    _cell(row.counted),
                    error,
                    _cell(row.terraform),
                    _cell(row.plan),
                    _cell(row.local_aws),
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def sources() -> str:
    lines = []
    for row in table():
        lines.append(f"- **`{row.id}`** {row.title}: <{row.source.url}>")
        lines.append(f'  > "{row.source.quote}"')
        if row.aws_error.code:
            message = f' "{row.aws_error.message}"' if row.aws_error.message else ""
            lines.append(
                f"  AWS answers `{row.aws_error.code}`{message} ({SEEN[row.aws_error.seen]})."
            )
        if row.note:
            lines.append(f"  {row.note}")
    return "\n".join(lines)


GENERATORS: dict[str, Callable[[], str]] = {"limits": limits_table, "sources": sources}


def regenerate(text: str) -> str:
    for name, generate in GENERATORS.items():
        pattern = re.compile(
            rf"(<!-- generated:{name} -->\n)(?:.*?\n)?(<!-- /generated:{name} -->)", re.DOTALL
        )
        match = pattern.search(text)
        if match is None:
            raise SystemExit(f"docs/limits.md has no generated:{name} block")
        text = text[: match.start()] + f"{match[1]}{generate()}\n{match[2]}" + text[match.end() :]
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    args = parser.parse_args(argv)
    current = DOC.read_text(encoding="utf-8")
    fresh = regenerate(current)
    if args.check:
        if fresh != current:
            print("docs/limits.md is stale: run .venv/bin/python scripts/limits_docs.py")
            return 1
        return 0
    DOC.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
