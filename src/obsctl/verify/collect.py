"""Read every live resource the contract names, in parallel, into plain snapshots.

Each API answer is kept as it came (an `Answer`: response or error code), so the checks are pure
functions of data and unit tests can feed them recorded answers. Independent calls run in a
thread pool: buckets, keys, roles, tables, the account and the operations resources are read at
the same time, and each bucket's configuration reads as well. What is read is every setting
through which data or keys can be shared, copied, locked, exposed or kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from obsctl.aws.clients import in_region
from obsctl.model.stack import Stack
from obsctl.verify.aws import Answer, ClientFactory, call, call_all_pages
from obsctl.verify.collect_operations import OperationsLive, operations_jobs, operations_live

# Snapshot field -> S3 read. Each answers a configuration or the code saying it is not set.
BUCKET_READS = {
    "encryption": "get_bucket_encryption",
    "public_access_block": "get_public_access_block",
    "ownership": "get_bucket_ownership_controls",
    "policy": "get_bucket_policy",
    "versioning": "get_bucket_versioning",
    "lifecycle": "get_bucket_lifecycle_configuration",
    "logging": "get_bucket_logging",
    "tagging": "get_bucket_tagging",
    "replication": "get_bucket_replication",
    "inventory": "list_bucket_inventory_configurations",
    "analytics": "list_bucket_analytics_configurations",
    "intelligent_tiering": "list_bucket_intelligent_tiering_configurations",
    "notifications": "get_bucket_notification_configuration",
    "object_lock": "get_object_lock_configuration",
    "acl": "get_bucket_acl",
    "acceleration": "get_bucket_accelerate_configuration",
    "website": "get_bucket_website",
    "cors": "get_bucket_cors",
}
# The list reads among them, and the key of their items (every page is read).
BUCKET_LISTS = {
    "inventory": "InventoryConfigurationList",
    "analytics": "AnalyticsConfigurationList",
    "intelligent_tiering": "IntelligentTieringConfigurationList",
}


@dataclass(frozen=True)
class BucketLive:
    name: str
    answers: dict[str, Answer]

    def __getitem__(self, read: str) -> Answer:
        return self.answers[read]

    @property
    def missing(self) -> bool:
        return any(answer.error == "NoSuchBucket" for answer in self.answers.values())


@dataclass(frozen=True)
class KeyLive:
    arn: str
    describe: Answer
    rotation: Answer
    policy: Answer
    tags: Answer
    aliases: Answer
    grants: Answer

    @property
    def missing(self) -> bool:
        return self.describe.missing_resource


@dataclass(frozen=True)
class PolicyDocument:
    """A permission policy of a role: inline (by name), attached (by ARN) or the boundary."""

    kind: str  # "inline", "managed" or "boundary"
    name: str
    document: dict[str, Any]


@dataclass(frozen=True)
class RoleLive:
    name: str
    role: Answer  # get_role
    inline: Answer  # {"Policies": [PolicyDocument, ...]}
    attached: Answer  # {"Policies": [PolicyDocument, ...]}
    boundary: Answer | None = None  # {"Policies": [PolicyDocument]} when a boundary is set

    @property
    def missing(self) -> bool:
        return self.role.missing_resource

    def permission_policies(self) -> list[PolicyDocument]:
        found: list[PolicyDocument] = []
        for answer in (self.inline, self.attached):
            if answer.ok:
                found += answer.data["Policies"]
        return found

    def boundary_policies(self) -> list[PolicyDocument]:
        if self.boundary is None or not self.boundary.ok:
            return []
        return list(self.boundary.data["Policies"])


@dataclass(frozen=True)
class TableLive:
    name: str
    describe: Answer
    backups: Answer
    tags: Answer
    resource_policy: Answer
    ttl: Answer
    kinesis: Answer

    @property
    def missing(self) -> bool:
        return self.describe.missing_resource


@dataclass
class LiveStack:
    buckets: dict[str, BucketLive] = field(default_factory=dict)
    keys: dict[str, KeyLive] = field(default_factory=dict)
    roles: dict[str, RoleLive] = field(default_factory=dict)
    tables: dict[str, TableLive] = field(default_factory=dict)
    operations: OperationsLive = field(default_factory=OperationsLive)
    # the account's IAM OIDC providers with their client IDs ({"Providers": [{Arn, ClientIDList}]})
    oidc_providers: Answer | None = None


class MalformedDocumentError(ValueError):
    """A policy that is not a JSON object (moto stores anything; AWS refuses it)."""


def decode_document(value: Any) -> dict[str, Any]:
    """A policy document as IAM, S3 or KMS hand it out (dict, JSON, URL-encoded JSON).

    Raises MalformedDocumentError when it is not a JSON object."""
    if isinstance(value, dict):
        return value
    text = str(value or "")
    if text.startswith("%7B") or text.startswith("%7b"):
        text = unquote(text)
    try:
        loaded = json.loads(text) if text else {}
    except ValueError as error:
        raise MalformedDocumentError(f"not valid JSON ({error})") from error
    if not isinstance(loaded, dict):
        raise MalformedDocumentError("not a JSON object")
    return loaded


def _regional(clients: ClientFactory, expected: Stack, region: str | None, service: str) -> Any:
    """The client of `service` in `region` (a replica's), or in the stack's region."""
    if not region or region == expected.region:
        return clients(service)
    return in_region(clients, region)(service)


def collect(expected: Stack, clients: ClientFactory, workers: int = 16) -> LiveStack:
    """Snapshots of every bucket, key, role and table in `expected`, read concurrently."""
    s3, kms, iam = clients("s3"), clients("kms"), clients("iam")
    dynamodb = clients("dynamodb") if expected.tables else None
    jobs: dict[tuple[str, str, str], Callable[[], Answer]] = {}
    for bucket in expected.buckets:
        s3 = _regional(clients, expected, bucket.region, "s3")
        for read, operation in BUCKET_READS.items():
            if read in BUCKET_LISTS:
                jobs[("bucket", bucket.name, read)] = _bind(
                    call_all_pages, s3, operation, BUCKET_LISTS[read], Bucket=bucket.name
                )
            else:
                jobs[("bucket", bucket.name, read)] = _bind(call, s3, operation, Bucket=bucket.name)
        jobs[("bucket", bucket.name, "access_points")] = _bind(
            call_all_pages,
            clients("s3control"),
            "list_access_points",
            "AccessPointList",
            AccountId=expected.account_id,
            Bucket=bucket.name,
        )
    for key in expected.keys:
        arn = key.arn
        kms = _regional(clients, expected, arn.split(":")[3], "kms")
        jobs[("key", arn, "describe")] = _bind(call, kms, "describe_key", KeyId=arn)
        jobs[("key", arn, "rotation")] = _bind(call, kms, "get_key_rotation_status", KeyId=arn)
        jobs[("key", arn, "policy")] = _bind(
            call, kms, "get_key_policy", KeyId=arn, PolicyName="default"
        )
        jobs[("key", arn, "tags")] = _bind(
            call_all_pages, kms, "list_resource_tags", "Tags", KeyId=arn
        )
        jobs[("key", arn, "aliases")] = _bind(
            call_all_pages, kms, "list_aliases", "Aliases", KeyId=arn
        )
        jobs[("key", arn, "grants")] = _bind(
            call_all_pages, kms, "list_grants", "Grants", KeyId=arn
        )
    for role in expected.roles:
        jobs[("role", role.name, "role")] = _bind(call, iam, "get_role", RoleName=role.name)
        jobs[("role", role.name, "inline")] = _bind(_inline_policies, iam, role.name)
        jobs[("role", role.name, "attached")] = _bind(_attached_policies, iam, role.name)
    for table in expected.tables:
        jobs[("table", table.name, "describe")] = _bind(
            call, dynamodb, "describe_table", TableName=table.name
        )
        jobs[("table", table.name, "backups")] = _bind(
            call, dynamodb, "describe_continuous_backups", TableName=table.name
        )
        jobs[("table", table.name, "tags")] = _bind(
            call_all_pages, dynamodb, "list_tags_of_resource", "Tags", ResourceArn=table.arn
        )
        jobs[("table", table.name, "resource_policy")] = _bind(
            call, dynamodb, "get_resource_policy", ResourceArn=table.arn
        )
        jobs[("table", table.name, "ttl")] = _bind(
            call, dynamodb, "describe_time_to_live", TableName=table.name
        )
        jobs[("table", table.name, "kinesis")] = _bind(
            call, dynamodb, "describe_kinesis_streaming_destination", TableName=table.name
        )
    if expected.clusters:
        jobs[("account", "iam", "oidc_providers")] = _bind(_oidc_providers, iam)
    jobs.update(operations_jobs(expected, clients))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {job: pool.submit(run) for job, run in jobs.items()}
        answers = {job: future.result() for job, future in futures.items()}
        # A permissions boundary is known only once get_role has answered.
        boundaries = {
            name: pool.submit(_boundary_policy, iam, arn)
            for (kind, name, read), answer in answers.items()
            if kind == "role" and read == "role" and (arn := _boundary_arn(answer))
        }
        boundary_answers = {name: future.result() for name, future in boundaries.items()}
    live = LiveStack(oidc_providers=answers.get(("account", "iam", "oidc_providers")))
    for bucket in expected.buckets:
        reads = (*BUCKET_READS, "access_points")
        live.buckets[bucket.name] = BucketLive(
            bucket.name, {read: answers[("bucket", bucket.name, read)] for read in reads}
        )
    for key in expected.keys:
        fetched = {read: answers[("key", key.arn, read)] for read in _KEY_READS}
        live.keys[key.arn] = KeyLive(key.arn, **fetched)
    for role in expected.roles:
        live.roles[role.name] = RoleLive(
            role.name,
            role=answers[("role", role.name, "role")],
            inline=answers[("role", role.name, "inline")],
            attached=answers[("role", role.name, "attached")],
            boundary=boundary_answers.get(role.name),
        )
    for table in expected.tables:
        fetched = {read: answers[("table", table.name, read)] for read in _TABLE_READS}
        live.tables[table.name] = TableLive(table.name, **fetched)
    live.operations = operations_live(answers)
    return live


_KEY_READS = ("describe", "rotation", "policy", "tags", "aliases", "grants")
_TABLE_READS = ("describe", "backups", "tags", "resource_policy", "ttl", "kinesis")


def _bind(function: Callable[..., Answer], *args: Any, **kwargs: Any) -> Callable[[], Answer]:
    return lambda: function(*args, **kwargs)


def _oidc_providers(iam: Any) -> Answer:
    """Every IAM OIDC provider of the account, with its client IDs (the audiences STS takes)."""
    listed = call(iam, "list_open_id_connect_providers")
    if not listed.ok:
        return listed
    providers = []
    for entry in listed.data.get("OpenIDConnectProviderList", []):
        answer = call(iam, "get_open_id_connect_provider", OpenIDConnectProviderArn=entry["Arn"])
        if not answer.ok:
            return answer
        providers.append({"Arn": entry["Arn"], "ClientIDList": answer.data.get("ClientIDList", [])})
    return Answer({"Providers": providers})


def _inline_policies(iam: Any, role: str) -> Answer:
    names = call_all_pages(iam, "list_role_policies", "PolicyNames", RoleName=role)
    if not names.ok:
        return names
    policies = []
    for name in names.data["PolicyNames"]:
        answer = call(iam, "get_role_policy", RoleName=role, PolicyName=name)
        if not answer.ok:
            return answer
        try:
            document = decode_document(answer.data["PolicyDocument"])
        except MalformedDocumentError as error:
            return Answer(error="MalformedPolicyDocument", message=f"{name}: {error}")
        policies.append(PolicyDocument("inline", name, document))
    return Answer({"Policies": policies, "Pages": names.data["Pages"]})


def _attached_policies(iam: Any, role: str) -> Answer:
    attached = call_all_pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=role)
    if not attached.ok:
        return attached
    policies = []
    for item in attached.data["AttachedPolicies"]:
        answer = _managed_policy(iam, item["PolicyArn"], "managed")
        if not answer.ok:
            return answer
        policies.append(answer.data)
    return Answer({"Policies": policies, "Pages": attached.data["Pages"]})


def _managed_policy(iam: Any, arn: str, kind: str) -> Answer:
    policy = call(iam, "get_policy", PolicyArn=arn)
    if not policy.ok:
        return policy
    version = call(
        iam,
        "get_policy_version",
        PolicyArn=arn,
        VersionId=policy.data["Policy"]["DefaultVersionId"],
    )
    if not version.ok:
        return version
    try:
        document = decode_document(version.data["PolicyVersion"]["Document"])
    except MalformedDocumentError as error:
        return Answer(error="MalformedPolicyDocument", message=f"{arn}: {error}")
    return Answer(PolicyDocument(kind, arn, document))


def _boundary_arn(answer: Answer) -> str | None:
    if not answer.ok:
        return None
    boundary = answer.data.get("Role", {}).get("PermissionsBoundary") or {}
    return boundary.get("PermissionsBoundaryArn")


def _boundary_policy(iam: Any, arn: str) -> Answer:
    answer = _managed_policy(iam, arn, "boundary")
    return Answer({"Policies": [answer.data]}) if answer.ok else answer
