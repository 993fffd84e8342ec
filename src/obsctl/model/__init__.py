"""One model of the stack: every verb reads the same typed `Stack`.

contract.py   the stack contract's JSON Schema (contract.schema.json), version and one reader
tfjson.py     the one reader of Terraform's JSON: raw state, `terraform show -json`, plan JSON
lifecycle.py  the one LifecycleRule, from the contract, a plan or state, or S3's API
stack.py      Stack: apps, buckets and their lifecycle, keys, roles, tables, trails, alarms
build.py      contract + document -> Stack (operations.py: tables, trails and alarms)

Terraform computes names, stores, retention and lifecycle rules and puts them in the contract;
the Python side reads them here and nowhere else.
"""

from __future__ import annotations

from obsctl.model.build import plan_contract, plan_stack, read_stack
from obsctl.model.contract import (
    APPS,
    CONTRACT_VERSION,
    RESERVED_TAGS,
    STORAGE_APPS,
    ContractError,
    StackContract,
)
from obsctl.model.stack import OPERATIONS, OTHER, SHARED, Stack
from obsctl.model.tfjson import TerraformJSON, read_plan

__all__ = [
    "APPS",
    "CONTRACT_VERSION",
    "OPERATIONS",
    "OTHER",
    "RESERVED_TAGS",
    "SHARED",
    "STORAGE_APPS",
    "ContractError",
    "Stack",
    "StackContract",
    "TerraformJSON",
    "plan_contract",
    "plan_stack",
    "read_plan",
    "read_stack",
]
