"""No import cycle in src/obsctl, function-level imports included (scripts/import_cycles.py)."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "import_cycles", REPO / "scripts" / "import_cycles.py"
)
assert _spec is not None and _spec.loader is not None
import_cycles = importlib.util.module_from_spec(_spec)
sys.modules["import_cycles"] = import_cycles
_spec.loader.exec_module(import_cycles)


def test_src_obsctl_has_no_import_cycle() -> None:
    assert import_cycles.cycles(REPO / "src" / "obsctl") == []


def _package(root: Path, files: dict[str, str]) -> Path:
    package = root / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name, text in files.items():
        (package / name).write_text(textwrap.dedent(text))
    return package


def test_a_cycle_hidden_in_a_function_level_import_is_found(tmp_path: Path) -> None:
    package = _package(
        tmp_path,
        {
            "a.py": "from pkg.b import helper\n",
            "b.py": "def helper():\n    from pkg import a\n    return a\n",
            "c.py": "import pkg.a\n",
        },
    )
    assert import_cycles.cycles(package) == [["pkg.a", "pkg.b"]]
    assert import_cycles.main([str(package)]) == 1


def test_imports_for_type_checking_only_and_relative_imports_are_read_right(
    tmp_path: Path,
) -> None:
    package = _package(
        tmp_path,
        {
            "a.py": """
                from typing import TYPE_CHECKING
                if TYPE_CHECKING:
                    from pkg.b import B
            """,
            "b.py": "from . import a\n",
        },
    )
    assert import_cycles.imports_of("pkg.b", package / "b.py", {"pkg", "pkg.a", "pkg.b"}) == {
        "pkg.a"
    }
    assert import_cycles.cycles(package) == []
    assert import_cycles.main([str(package)]) == 0
