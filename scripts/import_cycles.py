"""Find import cycles between the modules of a package, function-level imports included.

    python scripts/import_cycles.py [src/obsctl]

Every `import` and `from ... import` statement counts, wherever it stands (a function-level
import only delays a cycle, it does not remove it), except those under `if TYPE_CHECKING:`,
which never run. `from package import name` counts as importing the submodule when `name` is
one, else the package itself. Prints each cycle (a strongly connected group of modules) and
exits 1 when there is one.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def module_names(package_dir: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of the package."""
    base = package_dir.parent
    names = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(base).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that `name` imports at run time."""
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found |= _known_prefix(alias.name, known)
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(name, is_package, node.module, node.level)
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                found |= {submodule} if submodule in known else _known_prefix(source, known)
    found.discard(name)
    return found


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except what stands under `if TYPE_CHECKING:`."""
    nodes: list[ast.AST] = []
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        nodes.append(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                pending.extend(child.orelse)
                continue
            pending.append(child)
    return nodes


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _absolute(name: str, is_package: bool, module: str | None, level: int) -> str:
    if level == 0:
        return module or ""
    parts = name.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def _known_prefix(dotted: str, known: set[str]) -> set[str]:
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return {candidate}
    return set()


def cycles(package_dir: Path) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    modules = module_names(package_dir)
    known = set(modules)
    graph = {name: imports_of(name, path, known) for name, path in modules.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph)))
    for name in sorted(graph):
        if name not in index:
            visit(name)
    return sorted(groups)


def main(argv: list[str]) -> int:
    package_dir = Path(argv[0] if argv else "src/obsctl")
    found = cycles(package_dir)
    for group in found:
        print("import cycle: " + " <-> ".join(group))
    if not found:
        print(f"no import cycle in {package_dir} ({len(module_names(package_dir))} modules)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
