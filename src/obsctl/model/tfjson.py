"""The one reader of Terraform's JSON documents.

Three shapes reach obsctl: the raw state (`terraform state pull`, a .tfstate file: resources
with instances), the JSON of a state (`terraform show -json`: nested modules with values) and
the JSON of a saved plan (`terraform show -json PLANFILE`: planned values, output changes and
the configuration). `TerraformJSON` reads any of them into flat `Resource`s and plain output
values; a plan's values that are only known after apply become `UNKNOWN`, and their paths are
listed so the contract reader does not judge them. Nothing else in obsctl walks these documents.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from obsctl.errors import UsageError

UNKNOWN = "(known after apply)"
JsonPath = tuple[str | int, ...]

_ARN_REGION = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d+):")
_MODULE_STEP = re.compile(r'module\.([A-Za-z0-9_-]+)(?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?')


@dataclass(frozen=True)
class Resource:
    """One resource instance: its address, type and attribute values."""

    address: str
    module: str  # "" for the root module
    mode: str  # "managed" or "data"
    type: str
    name: str
    index: Any
    values: Mapping[str, Any]

    @property
    def tags(self) -> Mapping[str, str]:
        tags = self.values.get("tags_all") or self.values.get("tags") or {}
        return tags if isinstance(tags, Mapping) else {}


def tags_of(res: Resource | None) -> dict[str, str] | None:
    """A resource's tags (with the provider's default tags), or None without the resource."""
    return None if res is None else dict(res.tags)


class Notes:
    """What a document says that the model cannot represent exactly (said, never guessed)."""

    def __init__(self) -> None:
        self.items: dict[str, None] = {}

    def add(self, text: str) -> None:
        self.items[text] = None


def first_block(blocks: Any) -> Mapping[str, Any]:
    """The first of a nested block's list (Terraform's JSON writes blocks as lists), or {}."""
    if isinstance(blocks, list) and blocks and isinstance(blocks[0], Mapping):
        return blocks[0]
    return blocks if isinstance(blocks, Mapping) else {}


def number(value: Any) -> float | None:
    """A numeric attribute (numbers may be written as strings), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def json_document(text: Any) -> dict[str, Any] | None:
    """A JSON policy document held as text (or already decoded)."""
    if isinstance(text, dict):
        return text
    if not text or not isinstance(text, str):
        return None
    try:
        loaded = json.loads(text)
    except ValueError:
        return None
    return loaded if isinstance(loaded, dict) else None


def read_plan(path: Path) -> dict[str, Any]:
    """The JSON of a saved plan, or a UsageError saying what is wrong with the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise UsageError(f"The plan JSON file {path} does not exist.") from error
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"The plan JSON file {path} cannot be read ({error}).") from error
    try:
        plan = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(
            f"The plan JSON file {path} is not JSON (line {error.lineno}).",
            hint="Write it with `terraform show -json PLANFILE > plan.json`.",
        ) from error
    if not isinstance(plan, dict) or not (
        isinstance(plan.get("planned_values"), dict) or isinstance(plan.get("values"), dict)
    ):
        raise UsageError(
            f"The file {path} is not the JSON of a Terraform plan (no planned_values).",
            hint="Write it with `terraform show -json PLANFILE > plan.json`.",
        )
    return plan


def output_values(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """Plain values from `terraform output -json` or a state's outputs ({"value": ...} each);
    values that are already plain pass through."""
    return {
        name: (
            item["value"]
            if isinstance(item, Mapping) and "value" in item and "type" in item
            else item
        )
        for name, item in outputs.items()
    }


def index_suffix(index: Any) -> str:
    if index is None:
        return ""
    return f"[{index}]" if isinstance(index, int) else f"[{json.dumps(index)}]"


def _address(module: str, type_name: str, index: Any) -> str:
    return f"{module + '.' if module else ''}{type_name}{index_suffix(index)}"


def _walk(module: Mapping[str, Any] | None, prefix: str = "") -> Iterator[Resource]:
    """Resources of `terraform show -json`'s nested modules (a state's or a plan's values)."""
    if not isinstance(module, Mapping):
        return
    for resource in module.get("resources") or ():
        yield Resource(
            address=str(resource.get("address", "")),
            module=prefix,
            mode=str(resource.get("mode", "managed")),
            type=str(resource.get("type", "")),
            name=str(resource.get("name", "")),
            index=resource.get("index"),
            values=resource.get("values") or {},
        )
    for child in module.get("child_modules") or ():
        yield from _walk(child, str(child.get("address", "")))


def _raw(state: Mapping[str, Any]) -> Iterator[Resource]:
    """Resources of a raw state; tainted and deposed instances count (they exist)."""
    for resource in state.get("resources") or ():
        module = str(resource.get("module") or "")
        mode = str(resource.get("mode", "managed"))
        type_name = str(resource.get("type", ""))
        name = str(resource.get("name", ""))
        base = f"{'data.' if mode == 'data' else ''}{type_name}.{name}"
        for instance in resource.get("instances") or ():
            attributes = instance.get("attributes")
            index = instance.get("index_key")
            yield Resource(
                address=_address(module, base, index),
                module=module,
                mode=mode,
                type=type_name,
                name=name,
                index=index,
                values=attributes if isinstance(attributes, Mapping) else {},
            )


def _fill_unknown(value: Any, unknown: Any, path: JsonPath, found: list[JsonPath]) -> Any:
    """`value` with every leaf `unknown` marks as known after apply set to UNKNOWN."""
    if unknown is True:
        found.append(path)
        return UNKNOWN
    if isinstance(unknown, Mapping):
        filled = dict(value) if isinstance(value, Mapping) else {}
        for key, marks in unknown.items():
            filled[key] = _fill_unknown(filled.get(key), marks, (*path, key), found)
        return filled
    if isinstance(unknown, list) and isinstance(value, list):
        return [
            _fill_unknown(item, marks, (*path, position), found)
            for position, (item, marks) in enumerate(zip(value, unknown, strict=False))
        ] + value[len(unknown) :]
    return value


class TerraformJSON:
    """A raw state, the JSON of a state, or the JSON of a plan; None or {} reads as empty."""

    def __init__(self, document: Mapping[str, Any] | None) -> None:
        self.document: Mapping[str, Any] = document or {}
        if "planned_values" in self.document or "resource_changes" in self.document:
            self.kind = "plan"
            root = (self.document.get("planned_values") or {}).get("root_module")
            prior = ((self.document.get("prior_state") or {}).get("values") or {}).get(
                "root_module"
            )
            everything = [*_walk(root), *(r for r in _walk(prior) if r.mode == "data")]
        elif "values" in self.document:
            self.kind = "state"
            everything = list(_walk((self.document.get("values") or {}).get("root_module")))
        else:
            self.kind = "raw state" if self.document else "empty"
            everything = list(_raw(self.document))
        self.resources = [res for res in everything if res.mode == "managed"]
        self.data = [res for res in everything if res.mode == "data"]
        self._by_address = {res.address: res for res in self.resources}
        self._config_cache: dict[str, Mapping[str, Any]] = {}

    @property
    def available(self) -> bool:
        return bool(self.document)

    def variables(self) -> dict[str, Any]:
        """A plan's root input values, by name ({} for a state)."""
        return {
            name: item.get("value")
            for name, item in (self.document.get("variables") or {}).items()
            if isinstance(item, Mapping)
        }

    def prior(self) -> TerraformJSON:
        """A plan's prior state (what the stack's state holds, refreshed), or an empty one."""
        return TerraformJSON(self.document.get("prior_state") or None)

    def created(self) -> list[Resource]:
        """A plan's managed resources that its prior state does not hold: what the apply
        creates (a replacement is not among them: the state holds what it replaces)."""
        held = {res.address for res in self.prior().resources}
        return [res for res in self.resources if res.address not in held]

    def of_type(self, *types: str) -> list[Resource]:
        return [res for res in self.resources if res.type in types]

    def where(self, resource_type: str, attribute: str, value: Any) -> Iterator[Resource]:
        return (res for res in self.of_type(resource_type) if res.values.get(attribute) == value)

    def find(self, resource_type: str, attribute: str, value: Any) -> Resource | None:
        return next(self.where(resource_type, attribute, value), None)

    # -- outputs ---------------------------------------------------------------------------

    @cached_property
    def _outputs(self) -> tuple[dict[str, Any], tuple[JsonPath, ...]]:
        if self.kind == "plan":
            values: dict[str, Any] = {}
            unknown: list[JsonPath] = []
            for name, change in (self.document.get("output_changes") or {}).items():
                if isinstance(change, Mapping):
                    values[name] = _fill_unknown(
                        change.get("after"), change.get("after_unknown"), (name,), unknown
                    )
            return values, tuple(unknown)
        if self.kind == "state":
            outputs = (self.document.get("values") or {}).get("outputs") or {}
        else:
            outputs = self.document.get("outputs") or {}
        # A state wraps every output: {"value": ..., "type": ..., "sensitive": ...}.
        return {
            name: item.get("value") for name, item in outputs.items() if isinstance(item, Mapping)
        }, ()

    def outputs(self) -> dict[str, Any]:
        """The root module's output values (a plan's unknown leaves are UNKNOWN)."""
        return dict(self._outputs[0])

    def unknown_outputs(self) -> tuple[JsonPath, ...]:
        """Paths of the output values a plan only knows after apply."""
        return self._outputs[1]

    # -- a plan's configuration: linking sub-resources whose ids are unknown ---------------

    def config(self, res: Resource) -> Mapping[str, Any]:
        """The configuration block of a resource (its expressions), or {}."""
        key = f"{res.module}|{res.type}.{res.name}"
        if key not in self._config_cache:
            module = (self.document.get("configuration") or {}).get("root_module") or {}
            for step in _MODULE_STEP.findall(res.module):
                module = ((module.get("module_calls") or {}).get(step) or {}).get("module") or {}
            found: Mapping[str, Any] = {}
            for item in module.get("resources") or ():
                if item.get("type") == res.type and item.get("name") == res.name:
                    found = item
                    break
            self._config_cache[key] = found
        return self._config_cache[key]

    def linked(self, res: Resource, attribute: str, target_type: str) -> Resource | None:
        """The `target_type` resource that `res.<attribute>` refers to in the configuration."""
        expression = (self.config(res).get("expressions") or {}).get(attribute) or {}
        references = expression.get("references") or ()
        per_instance = any(ref in ("each.key", "count.index") for ref in references)
        pattern = re.compile(rf"^{re.escape(target_type)}\.([A-Za-z0-9_-]+)(?:\[(.+?)\])?")
        for reference in references:
            match = pattern.match(str(reference))
            if not match:
                continue
            name, raw_index = match.groups()
            if raw_index in ("each.key", "count.index") or (raw_index is None and per_instance):
                index = res.index
            elif raw_index is None:
                index = None
            else:
                index = json.loads(raw_index) if raw_index.startswith('"') else int(raw_index)
            found = self._by_address.get(_address(res.module, f"{target_type}.{name}", index))
            if found is not None:
                return found
        same = self._by_address.get(_address(res.module, f"{target_type}.{res.name}", res.index))
        if same is not None:
            return same
        candidates = [
            other
            for other in self.resources
            if other.type == target_type and other.module == res.module
        ]
        return candidates[0] if len(candidates) == 1 else None

    # -- region ----------------------------------------------------------------------------

    def region(self) -> tuple[str | None, str]:
        """The region of the resources, and where it was found (for a root with no contract)."""
        for res in self.data:
            if res.type == "aws_region":
                for key in ("region", "name", "id"):
                    value = res.values.get(key)
                    if isinstance(value, str) and value:
                        return value, f"data.aws_region ({res.address})"
        configuration = self.document.get("configuration") or {}
        provider = (configuration.get("provider_config") or {}).get("aws")
        expression = ((provider or {}).get("expressions") or {}).get("region") or {}
        if isinstance(expression.get("constant_value"), str):
            return expression["constant_value"], "the aws provider's region"
        for reference in expression.get("references") or ():
            if str(reference).startswith("var."):
                variable = (self.document.get("variables") or {}).get(str(reference)[4:]) or {}
                if isinstance(variable.get("value"), str):
                    return variable["value"], f"the aws provider's region ({reference})"
        output = self.outputs().get("region")
        if isinstance(output, str) and output and output != UNKNOWN:
            return output, "the region output"
        counts: Counter[str] = Counter()
        for res in self.resources:
            _count_arn_regions(res.values, counts)
        if counts:
            return counts.most_common(1)[0][0], "ARNs in the planned values"
        return None, "not found"


def _count_arn_regions(node: Any, counts: Counter[str]) -> None:
    if isinstance(node, str):
        match = _ARN_REGION.match(node)
        if match:
            counts[match.group(1)] += 1
    elif isinstance(node, Mapping):
        for value in node.values():
            _count_arn_regions(value, counts)
    elif isinstance(node, list):
        for value in node:
            _count_arn_regions(value, counts)
