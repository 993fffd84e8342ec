"""The access matrix: which role can do what on which store, proved on the live policies.

A store is one bucket (its ARN for bucket actions, `<arn>/*` for object actions), one key or one
table. Every role is evaluated against every store of the stack with a fixed vocabulary of
actions; the matrix then proves two things (terraform/modules/README.md, "The facts the modules
encode"):

- no role reaches another app's store, or the stack's own operations stores, and Grafana has no
  S3 or KMS access at all;
- each app's role has what the app needs on its own stores: ListBucket on its buckets,
  Get/Put/DeleteObject on their objects (Tempo also Get/PutObjectTagging), kms:GenerateDataKey and
  kms:Decrypt on its key (and Loki the index-table reads and writes when the legacy tables exist).
"""

from __future__ import annotations

from dataclasses import dataclass

from obsctl.model.contract import STORAGE_APPS
from obsctl.model.stack import Role, Stack
from obsctl.verify.collect import LiveStack, RoleLive
from obsctl.verify.policy import Principal, Statement, parse

BUCKET_ACTIONS = (
    "s3:ListBucket",
    "s3:ListBucketVersions",
    "s3:ListBucketMultipartUploads",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutLifecycleConfiguration",
    "s3:PutEncryptionConfiguration",
    "s3:DeleteBucket",
)
OBJECT_ACTIONS = (
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:AbortMultipartUpload",
    "s3:GetObjectTagging",
    "s3:PutObjectTagging",
    "s3:GetObjectVersion",
    "s3:DeleteObjectVersion",
)
KEY_ACTIONS = (
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "kms:Encrypt",
    "kms:ReEncryptFrom",
    "kms:CreateGrant",
    "kms:PutKeyPolicy",
    "kms:DisableKey",
    "kms:ScheduleKeyDeletion",
)
TABLE_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:PutItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:UpdateTable",
    "dynamodb:DeleteTable",
)

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
# What "Grafana has no S3/KMS" is proved with: these actions on any resource at all.
NO_STORAGE_ACTIONS = (*BUCKET_ACTIONS[:1], *OBJECT_ACTIONS[:3], *KEY_ACTIONS[:2])


@dataclass(frozen=True)
class Store:
    owners: tuple[str, ...]  # the apps whose data it holds; ("operations",) for stack stores
    kind: str  # "bucket", "key" or "table"
    name: str  # bucket or table name, key alias (or ARN)
    arn: str

    def probes(self) -> list[tuple[str, str, str]]:
        """(action, resource space, label) for every action of the vocabulary."""
        if self.kind == "bucket":
            return [(a, self.arn, self.name) for a in BUCKET_ACTIONS] + [
                (a, f"{self.arn}/*", f"{self.name}/*") for a in OBJECT_ACTIONS
            ]
        actions = KEY_ACTIONS if self.kind == "key" else TABLE_ACTIONS
        return [(a, self.arn, self.name) for a in actions]


def stores(expected: Stack) -> list[Store]:
    found = [
        Store(
            (bucket.app,) if bucket.telemetry else ("operations",),
            "bucket",
            bucket.name,
            bucket.arn,
        )
        for bucket in expected.buckets
    ]
    found += [
        Store(key.apps or ("operations",), "key", key.alias or key.arn, key.arn)
        for key in expected.keys
    ]
    found += [Store((table.app,), "table", table.name, table.arn) for table in expected.tables]
    return found


def principal(role: RoleLive) -> Principal:
    identity: list[Statement] = []
    for policy in role.permission_policies():
        label = f"{policy.kind} policy {policy.name}"
        identity += parse(policy.document, label)
    boundary_docs = role.boundary_policies()
    boundary = None
    if boundary_docs:
        boundary = [s for doc in boundary_docs for s in parse(doc.document, "permissions boundary")]
    return Principal(identity, boundary)


@dataclass(frozen=True)
class RoleAccess:
    """One role's row of the matrix and what it proves."""

    app: str
    allowed: dict[str, list[str]]  # store label -> actions that may be allowed
    cross_app: list[str]  # one line per offending (store, statement)
    missing: list[str]  # one line per store lacking required actions


def evaluate(expected: Stack, role: Role, live: RoleLive) -> RoleAccess:
    who = principal(live)
    allowed: dict[str, list[str]] = {}
    # (owner of the store, statement) -> actions and store labels it reaches
    offending: dict[tuple[str, str], tuple[list[str], list[str]]] = {}

    def offend(owner: str, where: str, action: str, label: str) -> None:
        actions, labels = offending.setdefault((owner, where), ([], []))
        if action not in actions:
            actions.append(action)
        if label not in labels:
            labels.append(label)

    for store in stores(expected):
        foreign = role.app not in store.owners
        for action, space, label in store.probes():
            grant = who.may_allow(action, space)
            if grant is None:
                continue
            allowed.setdefault(label, []).append(action)
            if foreign:
                offend("/".join(store.owners), grant.where, action, label)
    if role.app not in STORAGE_APPS:
        for action in NO_STORAGE_ACTIONS:
            grant = who.may_allow(action, "*")
            if grant is not None:
                allowed.setdefault("*", []).append(action)
                offend("any app", grant.where, action, "any resource")
    cross_app = [
        f"can {_some(actions)} on {owner}'s {', '.join(labels)} (through {where})"
        if owner != "any app"
        else f"can {_some(actions)} on any resource (through {where})"
        for (owner, where), (actions, labels) in offending.items()
    ]
    return RoleAccess(role.app, allowed, cross_app, _missing(expected, role, who))


def _some(actions: list[str], shown: int = 4) -> str:
    if len(actions) <= shown:
        return ", ".join(actions)
    return f"{', '.join(actions[:shown])} and {len(actions) - shown} more actions"


def _missing(expected: Stack, role: Role, who: Principal) -> list[str]:
    if role.app not in STORAGE_APPS:
        return []
    wanted: list[tuple[str, str, str]] = []
    for bucket in expected.buckets:
        if bucket.app != role.app:
            continue
        needs = REQUIRED_BUCKET + (REQUIRED_TAGGING if role.app == "tempo" else ())
        wanted += [(a, bucket.arn + suffix, bucket.name + suffix) for a, suffix in needs]
    for key in expected.keys:
        if role.app in key.apps and any(b.key_arn == key.arn for b in expected.buckets):
            wanted += [(a, key.arn, key.alias or key.arn) for a in REQUIRED_KEY]
    if role.app == "loki":
        for table in expected.tables:
            if table.app == "loki":
                wanted += [(a, table.arn, table.name) for a in REQUIRED_LOKI_TABLE]
    lacking: dict[str, list[str]] = {}
    for action, space, label in wanted:
        if who.guaranteed(action, space) is None:
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
        found[role.name] = evaluate(expected, role, snapshot)
    return found
