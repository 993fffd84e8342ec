"""--set-file trees are merged last, the way Helm layers values files."""

from __future__ import annotations

from obsctl.values.merge import deep_merge


def test_maps_merge_key_by_key_and_new_keys_are_appended() -> None:
    base = {"a": {"x": 1, "y": 2}, "b": 1}
    assert deep_merge(base, {"a": {"y": 3, "z": 4}, "c": 5}) == {
        "a": {"x": 1, "y": 3, "z": 4},
        "b": 1,
        "c": 5,
    }
    assert list(deep_merge(base, {"c": 1, "a": {}})) == ["a", "b", "c"]


def test_lists_scalars_and_null_replace_whatever_was_there() -> None:
    base = {"l": [1, 2], "m": {"k": 1}, "s": "x"}
    merged = deep_merge(base, {"l": [3], "m": None, "s": {"now": "a map"}})
    assert merged == {"l": [3], "m": None, "s": {"now": "a map"}}


def test_overlays_apply_in_order_and_inputs_stay_untouched() -> None:
    base = {"a": {"b": [1]}}
    first = {"a": {"b": [2], "c": 1}}
    merged = deep_merge(base, first, {"a": {"c": 2}})
    assert merged == {"a": {"b": [2], "c": 2}}
    merged["a"]["b"].append(9)
    assert base == {"a": {"b": [1]}} and first == {"a": {"b": [2], "c": 1}}
