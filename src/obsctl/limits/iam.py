"""IAM rows: role names, paths, session durations and descriptions, trust and inline policy
sizes (IAM counts characters without white space), managed policies, attachments, OIDC providers.

A policy that names an ARN created in the same apply is known only after apply; its size is then
checked by AWS (and the local AWS). For a role's inline policies the known ones are summed: when
they alone exceed the limit the plan is refused, else the rest is left to the apply.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from obsctl.limits.registry import checks
from obsctl.limits.table import table
from obsctl.limits.view import PlanView, nonws_chars, plural, text_value
from obsctl.model.tfjson import Resource, number

_NAME = re.compile(r"^[\w+=,.@-]+$", re.ASCII)
_PATH = re.compile(r"^(/|/[\x21-\x7e]+/)$")
_DESCRIPTION = re.compile(r"^[\t\n\r\x20-\x7e\xa1-\xff]*$")
_POLICY_CHARS = re.compile(r"[^\t\n\r\x20-\xff]")
# The suffix AWS appends to a name_prefix to make a unique name.
_GENERATED_SUFFIX = 26


@checks("iam.role.name", "iam.role.path", "iam.role.max_session_duration", "iam.role.description")
def role_settings(view: PlanView) -> None:
    name_row, path_row = table()["iam.role.name"], table()["iam.role.path"]
    duration_row, description_row = (
        table()["iam.role.max_session_duration"],
        table()["iam.role.description"],
    )
    for res in view.of_type("aws_iam_role"):
        values = res.values
        name, prefix = text_value(values.get("name")), text_value(values.get("name_prefix"))
        length = len(name) if name else (len(prefix) + _GENERATED_SUFFIX if prefix else None)
        if length is not None and length > name_row.value("max"):
            view.violation(
                name_row,
                res,
                f"{view.label(res)} would have a name of {length} characters, and IAM allows "
                f"at most {name_row.value('max')}: "
                f"{view.remedy(name_row, res, 'a shorter prefix')}.",
            )
        text = name or prefix
        if text and not _NAME.match(text):
            view.violation(
                name_row,
                res,
                f"{view.label(res)} has a name IAM refuses (only letters, digits and _+=,.@- "
                f"are allowed): {view.remedy(name_row, res, 'those characters only')}.",
            )
        path = text_value(values.get("path"))
        if path is not None and (len(path) > path_row.value("max") or not _PATH.match(path)):
            view.violation(
                path_row,
                res,
                f"{view.label(res)} has the path {path!r}, and IAM takes / or /<text>/ of at "
                f"most 512 printable characters: {view.remedy(path_row, res, 'iam.role_path')}.",
            )
        duration = number(values.get("max_session_duration"))
        low, high = duration_row.value("min"), duration_row.value("max")
        if duration is not None and not low <= duration <= high:
            view.violation(
                duration_row,
                res,
                f"{view.label(res)} has a maximum session duration of {duration:g} s, and IAM "
                f"takes {low} to {high}: "
                f"{view.remedy(duration_row, res, 'iam.max_session_duration')}.",
            )
        description = text_value(values.get("description"))
        if description is not None and (
            len(description) > description_row.value("max") or not _DESCRIPTION.match(description)
        ):
            view.violation(
                description_row,
                res,
                f"{view.label(res)} has a description of {len(description)} characters (or "
                f"characters IAM refuses), and IAM takes at most 1000: "
                f"{view.remedy(description_row, res, 'a shorter description')}.",
            )


@checks("iam.role.trust_policy")
def trust_policies(view: PlanView) -> None:
    row = table()["iam.role.trust_policy"]
    limit = view.quotas.value(row)
    for res in view.of_type("aws_iam_role"):
        document = text_value(res.values.get("assume_role_policy"))
        if document is None:
            view.deferred(row, res, "its trust policy is known only after apply")
            continue
        size = nonws_chars(document)
        if size > limit:
            raised = "" if limit != row.value() else " by default"
            view.violation(
                row,
                res,
                f"{view.label(res)} would have a trust policy of {size:,} characters (white "
                f"space not counted), and IAM allows {limit:,}{raised}: "
                f"{view.remedy(row, res, 'fewer or shorter service accounts for its app')}.",
            )


def _documents(view: PlanView) -> Iterator[tuple[Resource, str | None]]:
    """Every IAM policy document of the plan with its resource (None: known after apply)."""
    for res in view.of_type("aws_iam_role"):
        yield res, text_value(res.values.get("assume_role_policy"))
        for block in res.values.get("inline_policy") or ():
            yield res, text_value(block.get("policy"))
    for res in view.of_type("aws_iam_role_policy", "aws_iam_policy"):
        yield res, text_value(res.values.get("policy"))


@checks("iam.policy.characters")
def policy_characters(view: PlanView) -> None:
    row = table()["iam.policy.characters"]
    for res, document in _documents(view):
        bad = _POLICY_CHARS.search(document or "")
        if bad is not None:
            view.violation(
                row,
                res,
                f"A policy of {view.label(res)} has the character {bad.group()!r} (U+"
                f"{ord(bad.group()):04X}), and IAM takes only tab, line feed, carriage return "
                f"and U+0020 to U+00FF: {view.remedy(row, res, 'ASCII names only')}.",
            )


def _role_of(view: PlanView, res: Resource, attribute: str) -> Resource | None:
    return view.linked(res, attribute, "aws_iam_role")


@checks("iam.role.inline_policies", "iam.inline_policy.name")
def inline_policies(view: PlanView) -> None:
    row, name_row = table()["iam.role.inline_policies"], table()["iam.inline_policy.name"]
    limit = row.value()
    per_role: dict[str, tuple[Resource, list[str | None]]] = {}
    for res in view.of_type("aws_iam_role"):
        blocks = res.values.get("inline_policy") or ()
        documents = [text_value(block.get("policy")) for block in blocks]
        per_role[res.address] = (res, documents)
    for res in view.of_type("aws_iam_role_policy"):
        name = text_value(res.values.get("name"))
        if name is not None and (len(name) > name_row.value("max") or not _NAME.match(name)):
            view.violation(
                name_row,
                res,
                f"{view.label(res)} has a name IAM refuses (1 to 128 letters, digits and "
                f"_+=,.@-): {view.remedy(name_row, res, 'a shorter name')}.",
            )
        role = _role_of(view, res, "role")
        if role is not None:
            per_role.setdefault(role.address, (role, []))[1].append(
                text_value(res.values.get("policy"))
            )
    for role, documents in per_role.values():
        known = [document for document in documents if document is not None]
        total = sum(nonws_chars(document) for document in known)
        unknown = len(documents) - len(known)
        if total > limit:
            # Grafana's policy grows with its data sources; the apps' with their tables.
            grafana = view.app_of(role) == "grafana"
            remedy = view.remedy(
                row,
                role,
                "fewer log groups or data sources" if grafana else "fewer grants for its app",
                reaching=("grafana_access",) if grafana else ("create_loki_tables",),
            )
            view.violation(
                row,
                role,
                f"{view.label(role)} would have inline policies of {total:,} characters "
                f"together (white space not counted{', known ones only' if unknown else ''}), "
                f"and IAM allows {limit:,} per role: {remedy}.",
            )
        elif unknown:
            view.deferred(row, role, f"{plural(unknown, 'inline policy')} known only after apply")


@checks("iam.managed_policy.size")
def managed_policies(view: PlanView) -> None:
    row = table()["iam.managed_policy.size"]
    for res in view.of_type("aws_iam_policy"):
        document = text_value(res.values.get("policy"))
        if document is None:
            view.deferred(row, res, "its document is known only after apply")
        elif nonws_chars(document) > row.value():
            view.violation(
                row,
                res,
                f"{view.label(res)} would have {nonws_chars(document):,} characters (white "
                f"space not counted), and IAM allows {row.value():,} per managed policy: "
                f"{view.remedy(row, res, 'split it in two')}.",
            )


@checks("iam.role.managed_policies")
def attachments(view: PlanView) -> None:
    row = table()["iam.role.managed_policies"]
    limit = view.quotas.value(row)
    attached: dict[str, tuple[Resource, set[str]]] = {}
    for res in view.of_type("aws_iam_role"):
        arns = {str(arn) for arn in res.values.get("managed_policy_arns") or ()}
        attached[res.address] = (res, arns)
    for res in view.of_type("aws_iam_role_policy_attachment"):
        role = _role_of(view, res, "role")
        if role is not None:
            attached.setdefault(role.address, (role, set()))[1].add(
                str(res.values.get("policy_arn") or res.address)
            )
    for res in view.of_type("aws_iam_role_policy_attachments_exclusive"):
        role = _role_of(view, res, "role_name")
        if role is not None:
            arns = {str(arn) for arn in res.values.get("policy_arns") or ()}
            attached.setdefault(role.address, (role, set()))[1].update(arns)
    for role, arns in attached.values():
        if len(arns) > limit:
            view.violation(
                row,
                role,
                f"{view.label(role)} would have {len(arns)} managed policies attached, and IAM "
                f"allows {limit} per role by default: "
                f"{view.remedy(row, role, 'merge some of them')}.",
            )


@checks("iam.oidc_provider.url")
def oidc_providers(view: PlanView) -> None:
    row = table()["iam.oidc_provider.url"]
    for res in view.of_type("aws_iam_openid_connect_provider"):
        url = text_value(res.values.get("url")) or ""
        thumbprints = [str(item) for item in res.values.get("thumbprint_list") or ()]
        clients = list(res.values.get("client_id_list") or ())
        problems = []
        if len(url) > row.value("url_max"):
            problems.append(f"a URL of {len(url)} characters (at most 255)")
        if any(len(item) != row.value("thumbprint_length") for item in thumbprints):
            problems.append("a thumbprint that is not 40 characters")
        if len(thumbprints) > row.value("thumbprints_max"):
            problems.append(f"{len(thumbprints)} thumbprints (at most 5)")
        if len(clients) > row.value("client_ids_max"):
            problems.append(f"{len(clients)} client IDs (at most 100)")
        if problems:
            view.violation(
                row,
                res,
                f"{view.label(res)} has {' and '.join(problems)}, which IAM refuses: "
                f"{view.remedy(row, res, 'oidc.issuer_url')}.",
            )
