"""Mutation: which keys of a values tree the chart ignores.

A key is read when changing its value changes the render (or makes helm refuse it). Strings,
nulls, lists and empty maps take a unique sentinel, so one render proves every key whose
sentinel shows up in it; the rest of them (keys that steer templates) are split in halves until
each is proven or shown to change nothing, since a group whose mutation leaves the render as
it was is a group of ignored keys. Booleans and numbers, which take no sentinel, are flipped or
incremented one at a time.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from obsctl.values.conformance.helm import HelmError
from tools.keypaths import Path as KeyPath
from tools.keypaths import display_path, leaf_paths

Render = Callable[[dict[str, Any]], str]
SENTINEL = "obsctlmutation{:04d}x"


def _get(tree: Any, path: KeyPath) -> Any:
    for segment in path:
        tree = tree[segment]
    return tree


def _set(tree: Any, path: KeyPath, value: Any) -> None:
    for segment in path[:-1]:
        tree = tree[segment]
    tree[path[-1]] = value


def mutated(
    tree: dict[str, Any], paths: list[KeyPath], index: dict[KeyPath, int]
) -> tuple[dict, dict]:
    """The tree with every path changed, and the sentinel each path got (None: no sentinel)."""
    result = copy.deepcopy(tree)
    sentinels: dict[KeyPath, str | None] = {}
    for path in paths:
        value = _get(result, path)
        sentinel = SENTINEL.format(index[path])
        if isinstance(value, bool):
            new, sentinel = not value, None
        elif isinstance(value, int | float):
            new, sentinel = value + 1, None
        elif isinstance(value, list):
            new = [*value, sentinel]
        elif isinstance(value, dict):  # an empty map (leaf_paths stops at those)
            new = {sentinel: sentinel}
        else:  # strings and nulls
            new = sentinel
        _set(result, path, new)
        sentinels[path] = sentinel
    return result, sentinels


def ignored_keys(
    render: Render, tree: dict[str, Any], only: Collection[KeyPath] | None = None
) -> list[str]:
    """The leaf paths of `tree` (those in `only`, if given) whose change leaves the render
    unchanged."""
    paths = [path for path in leaf_paths(tree) if only is None or path in only]
    index = {path: number for number, path in enumerate(paths)}
    baseline = render(tree)

    def search(group: list[KeyPath]) -> list[KeyPath]:
        candidate, sentinels = mutated(tree, group, index)
        try:
            text = render(candidate)
        except HelmError:  # the chart refuses the values: it reads them
            if len(group) == 1:
                return []
            return search(group[: len(group) // 2]) + search(group[len(group) // 2 :])
        if text == baseline:
            return group
        rest = [p for p in group if not (sentinels[p] and sentinels[p] in text)]
        if not rest or len(group) == 1:
            return []
        if len(rest) < len(group):
            return search(rest)
        return search(group[: len(group) // 2]) + search(group[len(group) // 2 :])

    def flippable(path: KeyPath) -> bool:
        return isinstance(_get(tree, path), bool | int | float)

    single = [path for path in paths if flippable(path)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        found = [p for result in pool.map(lambda path: search([path]), single) for p in result]
    grouped = [path for path in paths if not flippable(path)]
    found += search(grouped) if grouped else []
    return [display_path(path) for path in sorted(found, key=index.__getitem__)]
