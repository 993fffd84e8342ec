"""docs/cost.md: its tables are generated from the plan fixtures and must match them.

The plan fixtures are the plans of today's env roots: tests/integration/test_fixtures.py fails
when the modules plan something else, so the committed page follows the modules.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
_spec = importlib.util.spec_from_file_location("cost_docs", ROOT / "scripts" / "cost_docs.py")
assert _spec is not None and _spec.loader is not None
docgen = importlib.util.module_from_spec(_spec)
sys.modules["cost_docs"] = docgen
_spec.loader.exec_module(docgen)


def test_the_committed_docs_cost_md_is_what_the_plan_fixtures_generate() -> None:
    committed = (ROOT / "docs" / "cost.md").read_text()
    fresh = docgen.regenerate(committed, docgen.Context(ROOT / "tests" / "fixtures" / "plan"))
    assert fresh == committed, "docs/cost.md is stale: run .venv/bin/python scripts/cost_docs.py"


def test_every_generated_block_is_filled() -> None:
    text = (ROOT / "docs" / "cost.md").read_text()
    for name in docgen.GENERATORS:
        start = text.index(f"<!-- generated:{name} -->")
        end = text.index(f"<!-- /generated:{name} -->")
        assert "|---" in text[start:end], name


def test_every_source_tag_the_page_cites_is_defined_in_the_price_file() -> None:
    import re

    from obsctl.cost.price_file import load_price_book

    text = (ROOT / "docs" / "cost.md").read_text()
    cited = set(re.findall(r"\[([A-Z0-9]+(?:-[A-Z0-9]+)+)\]", text))
    assert cited and cited <= set(load_price_book().sources)


def test_the_usage_file_example_is_the_file_the_guide_prices_and_it_loads() -> None:
    import re

    from obsctl.cost.usage_file import load_usage

    text = (ROOT / "docs" / "cost.md").read_text()
    (shown,) = re.findall(r"## The usage file\n\n.*?```yaml\n(.*?)```", text, re.DOTALL)
    example = ROOT / "docs" / "examples" / "usage.yaml"
    assert example.read_text() == shown
    assert "--usage docs/examples/usage.yaml" in text
    load_usage(example)
