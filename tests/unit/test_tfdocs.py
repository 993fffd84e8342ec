"""The module READMEs' inputs/outputs tables are generated and never stale."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("tfdocs", REPO / "scripts" / "tfdocs.py")
assert _spec is not None and _spec.loader is not None
tfdocs = importlib.util.module_from_spec(_spec)
sys.modules["tfdocs"] = tfdocs
_spec.loader.exec_module(tfdocs)


def test_every_module_readme_table_matches_its_variables_and_outputs() -> None:
    assert tfdocs.main(["--check"]) == 0
    assert {p.name for p in tfdocs.documented_roots()} >= {"s3-kms", "iam", "dynamodb", "stack"}


def test_the_scanner_reads_heredocs_nested_types_and_braces_in_strings(tmp_path: Path) -> None:
    (tmp_path / "variables.tf").write_text("""
variable "settings" {
  description = <<-EOT
    Two lines
    of description.
  EOT
  type = object({
    name = optional(string, "a { brace")
  })
  default = { name = "x" }

  validation {
    condition     = var.settings.name != "}"
    error_message = "type = nope"
  }
}

variable "required_one" {
  type        = string
  description = "Say \\"hi\\"."
}
""")
    (tmp_path / "outputs.tf").write_text(
        'output "id" {\n  description = "The id."\n  value = 1\n}\n'
    )
    variables, outputs = tfdocs.read_module(tmp_path)
    required, settings = variables
    assert settings.description == "Two lines of description."
    assert settings.type == 'object({\n    name = optional(string, "a { brace")\n  })'
    assert settings.default == '{ name = "x" }'
    assert (required.default, required.description) == (None, 'Say "hi".')
    table = tfdocs.render(variables, outputs)
    assert "| yes |" in table and "[id](#output\\_id) | The id. |" in table


def test_a_stale_table_is_reported_and_rewritten(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# m\n{tfdocs.BEGIN}\nold\n{tfdocs.END}\nafter\n")
    (tmp_path / "main.tf").write_text('variable "x" {\n  type = number\n}\n')
    updated = tfdocs.update_readme(readme, tfdocs.render(*tfdocs.read_module(tmp_path)))
    assert "old" not in updated and "[x](#input\\_x)" in updated and updated.endswith("after\n")
