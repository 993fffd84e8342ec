"""IAM as AWS answers it: role names (case-insensitively unique), paths, session durations,
descriptions, trust and inline policy sizes, managed policies and their attachments, tags."""

from __future__ import annotations

import re
from typing import Any

from obsctl.limits.table import table
from obsctl.limits.view import nonws_chars
from obsctl.sandbox.fidelity.patching import before, check_tags, refuse, tag_pairs

# row id -> the calls of the local AWS that refuse what breaks it
ENFORCES = {
    "iam.role.name": ["CreateRole"],
    "iam.role.path": ["CreateRole"],
    "iam.role.max_session_duration": ["CreateRole", "UpdateRole"],
    "iam.role.description": ["CreateRole", "UpdateRole"],
    "iam.role.trust_policy": ["CreateRole", "UpdateAssumeRolePolicy"],
    "iam.role.inline_policies": ["PutRolePolicy"],
    "iam.inline_policy.name": ["PutRolePolicy"],
    "iam.managed_policy.size": ["CreatePolicy", "CreatePolicyVersion"],
    "iam.policy.characters": [
        "CreateRole",
        "UpdateAssumeRolePolicy",
        "PutRolePolicy",
        "CreatePolicy",
    ],
    "iam.role.managed_policies": ["AttachRolePolicy"],
    "iam.role.tags": ["CreateRole", "TagRole"],
    "iam.oidc_provider.tags": ["CreateOpenIDConnectProvider", "TagOpenIDConnectProvider"],
    "iam.oidc_provider.url": ["CreateOpenIDConnectProvider"],
    "iam.tag_keys.case": ["CreateRole", "TagRole"],
    "tags.key_length": ["CreateRole", "TagRole", "CreateOpenIDConnectProvider"],
    "tags.value_length": ["CreateRole", "TagRole", "CreateOpenIDConnectProvider"],
    "tags.characters": ["CreateRole", "TagRole", "CreateOpenIDConnectProvider"],
    "tags.reserved_prefix": ["CreateRole", "TagRole", "CreateOpenIDConnectProvider"],
}

_NAME = re.compile(r"^[\w+=,.@-]+$", re.ASCII)
_PATH = re.compile(r"^(/|/[\x21-\x7e]+/)$")
_DESCRIPTION = re.compile(r"^[\t\n\r\x20-\x7e\xa1-\xff]*$")
_POLICY_CHARS = re.compile(r"[^\t\n\r\x20-\xff]")


def _validation(field: str, value: str, constraint: str) -> None:
    refuse(
        "iam",
        "ValidationError",
        f"1 validation error detected: Value '{value[:80]}' at '{field}' failed to satisfy "
        f"constraint: {constraint}",
    )


def _characters(document: str) -> None:
    if _POLICY_CHARS.search(document or ""):
        row = table()["iam.policy.characters"]
        refuse("iam", row.aws_error.code, row.aws_error.message)


def _tags(tags: Any, existing: Any = ()) -> None:
    """One request of more than 50 tags fails the API model (ValidationError); a request that
    takes the resource past 50 gets LimitExceeded."""
    row = table()["iam.role.tags"]
    pairs = tag_pairs(tags)
    if len(pairs) > row.value():
        _validation(
            "tags", str(len(pairs)), f"Member must have length less than or equal to {row.value()}"
        )
    for _, value in pairs:
        if value.lower().startswith("aws:"):
            refuse("iam", "InvalidInput", "Tag values cannot start with the reserved prefix aws:")
    check_tags(
        "iam",
        pairs,
        existing=existing,
        fold_case=True,
        count_code=row.aws_error.code,
        count_message=row.aws_error.message,
        tag_code="InvalidInput",
        limit=row.value(),
    )


def _name(role_name: str) -> None:
    most = table()["iam.role.name"].value("max")
    if len(role_name) > most:
        _validation("roleName", role_name, f"Member must have length less than or equal to {most}")
    if not _NAME.match(role_name):
        _validation(
            "roleName", role_name, "Member must satisfy regular expression pattern: [\\w+=,.@-]+"
        )


def _duration(value: Any) -> None:
    if value in (None, ""):
        return
    row = table()["iam.role.max_session_duration"]
    if not row.value("min") <= int(value) <= row.value("max"):
        _validation(
            "maxSessionDuration",
            str(value),
            f"Member must have value between {row.value('min')} and {row.value('max')}",
        )


def _description(value: Any) -> None:
    if value and (len(value) > 1000 or not _DESCRIPTION.match(value)):
        _validation("description", value, "Member must have length less than or equal to 1000")


def _trust(document: str) -> None:
    _characters(document)
    row = table()["iam.role.trust_policy"]
    if nonws_chars(document or "") > row.value():
        refuse("iam", row.aws_error.code, row.aws_error.message)


def _create_role(backend: Any, arguments: dict[str, Any]) -> None:
    name = arguments["role_name"]
    _name(name)
    for role in backend.roles.values():
        if role.name.lower() == name.lower() and role.name != name:
            refuse("iam", "EntityAlreadyExists", f"Role with name {role.name} already exists.")
    path = arguments.get("path") or "/"
    if len(path) > 512 or not _PATH.match(path):
        _validation("path", path, "Member must satisfy regular expression pattern: (/)|(/[!-~]+/)")
    _duration(arguments.get("max_session_duration"))
    _description(arguments.get("description"))
    _trust(arguments["assume_role_policy_document"])
    _tags(arguments.get("tags"))


def _role(backend: Any, name: str) -> Any | None:
    try:
        return backend.get_role(name)
    except Exception:  # moto's NoSuchEntity: moto answers it
        return None


def _update_trust(backend: Any, arguments: dict[str, Any]) -> None:
    _trust(arguments["policy_document"])


def _tag_role(backend: Any, arguments: dict[str, Any]) -> None:
    role = _role(backend, arguments["role_name"])
    _tags(arguments["tags"], _keys(role.tags) if role is not None else ())


def _update_role(backend: Any, arguments: dict[str, Any]) -> None:
    _duration(arguments.get("max_session_duration"))
    _description(arguments.get("role_description"))


def _put_role_policy(backend: Any, arguments: dict[str, Any]) -> None:
    name, document = arguments["policy_name"], arguments["policy_json"]
    if len(name) > 128 or not _NAME.match(name):
        _validation(
            "policyName", name, "Member must satisfy regular expression pattern: [\\w+=,.@-]+"
        )
    _characters(document)
    role = _role(backend, arguments["role_name"])
    if role is None:
        return
    others = [text for other, text in role.policies.items() if other != name]
    total = sum(nonws_chars(str(text)) for text in others) + nonws_chars(document)
    row = table()["iam.role.inline_policies"]
    if total > row.value():
        refuse("iam", row.aws_error.code, row.aws_error.message.format(role=role.name))


def _managed(document: str) -> None:
    _characters(document)
    row = table()["iam.managed_policy.size"]
    if nonws_chars(document) > row.value():
        refuse("iam", row.aws_error.code, row.aws_error.message)


def _create_policy(backend: Any, arguments: dict[str, Any]) -> None:
    _managed(arguments["policy_document"])


def _create_policy_version(backend: Any, arguments: dict[str, Any]) -> None:
    _managed(arguments["policy_document"])


def _attach(backend: Any, arguments: dict[str, Any]) -> None:
    role = _role(backend, arguments["role_name"])
    row = table()["iam.role.managed_policies"]
    attached = role.managed_policies if role is not None else {}
    if arguments["policy_arn"] not in attached and len(attached) >= row.value():
        refuse("iam", row.aws_error.code, row.aws_error.message)


def _create_provider(backend: Any, arguments: dict[str, Any]) -> None:
    _tags(arguments.get("tags"))


def _tag_provider(backend: Any, arguments: dict[str, Any]) -> None:
    provider = backend.open_id_providers.get(arguments["arn"])
    _tags(arguments["tags"], _keys(provider.tags) if provider is not None else ())


def _keys(tags: Any) -> list[str]:
    """The keys of moto's IAM tags (a dict of key -> {Key, Value}, or a list of them)."""
    return [key for key, _ in tag_pairs(tags.values() if isinstance(tags, dict) else tags)]


def install() -> None:
    from moto.iam.models import IAMBackend

    before(IAMBackend, "create_role", _create_role)
    before(IAMBackend, "update_assume_role_policy", _update_trust)
    before(IAMBackend, "tag_role", _tag_role)
    before(IAMBackend, "update_role", _update_role)
    before(IAMBackend, "put_role_policy", _put_role_policy)
    before(IAMBackend, "create_policy", _create_policy)
    before(IAMBackend, "create_policy_version", _create_policy_version)
    before(IAMBackend, "attach_role_policy", _attach)
    before(IAMBackend, "create_open_id_connect_provider", _create_provider)
    before(IAMBackend, "tag_open_id_connect_provider", _tag_provider)
