"""What `obsctl up` does after its apply about configuration Terraform does not own.

Terraform restores what it manages (policies, encryption, lifecycle, the trail, the topic...).
It does not see settings the modules never set: a replication rule, an inventory export, event
notifications, a website, CORS rules, an ACL grant, transfer acceleration, an Intelligent-Tiering
archive configuration on a bucket; a grant on a key; a resource policy, stream, Kinesis
destination, replica or TTL on a table; a subscription on the alert topic. On the stack's own
resources those are foreign: `repair` removes each one a verification found, and says so.

One finding is repaired before the apply instead of after it: an ACL that grants anyone but the
owner. AWS refuses to enforce the bucket owner again (the ownership controls Terraform restores)
while such an ACL is in place (InvalidBucketAclWithObjectOwnership), so the apply itself would fail.

Three findings are refused instead of removed, and `up` fails on them with the control's fix:
Object Lock (it cannot be turned off), an access point (a resource of its own, which `up` did
not create) and the account's public access block (an account setting, not the stack's).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from obsctl.model.stack import Stack
from obsctl.verify.aws import ClientFactory, call, call_all_pages
from obsctl.verify.model import Report, Result
from obsctl.verify.sharing import is_own_rule

if TYPE_CHECKING:
    from obsctl.verify.engine import VerifyOptions
    from obsctl.workspace.session import Session

Repair = Callable[[ClientFactory, Stack, str], list[str]]
REFUSED = ("s3.object-lock", "s3.access-points", "account.public-access-block")
BEFORE_APPLY = frozenset({"s3.acl"})


def _replication(clients: ClientFactory, stack: Stack, name: str) -> list[str]:
    """Remove every rule but the stack's own replication (which Terraform restores if gone)."""
    s3 = clients("s3")
    bucket = next((b for b in stack.buckets if b.name == name), None)
    answer = call(s3, "get_bucket_replication", Bucket=name)
    configuration = answer.data.get("ReplicationConfiguration", {}) if answer.ok else {}
    role = configuration.get("Role")
    own = [
        rule
        for rule in configuration.get("Rules", [])
        if bucket is not None and is_own_rule(stack, bucket, role, rule)
    ]
    foreign = len(configuration.get("Rules", [])) - len(own)
    if not foreign:
        return []
    if not own:
        call(s3, "delete_bucket_replication", Bucket=name)
        return [f"removed the replication configuration of {name}"]
    call(
        s3,
        "put_bucket_replication",
        Bucket=name,
        ReplicationConfiguration={**configuration, "Rules": own},
    )
    return [f"removed {foreign} foreign replication rule(s) of {name}, kept the stack's own"]


def _exports(clients: ClientFactory, stack: Stack, bucket: str) -> list[str]:
    s3, done = clients("s3"), []
    for operation, items, delete in (
        ("list_bucket_inventory_configurations", "InventoryConfigurationList", "inventory"),
        ("list_bucket_analytics_configurations", "AnalyticsConfigurationList", "analytics"),
    ):
        answer = call_all_pages(s3, operation, items, Bucket=bucket)
        for item in answer.data.get(items) or [] if answer.ok else []:
            call(s3, f"delete_bucket_{delete}_configuration", Bucket=bucket, Id=item["Id"])
            done.append(f"removed the {delete} configuration {item['Id']} of {bucket}")
    return done


def _notifications(clients: ClientFactory, stack: Stack, bucket: str) -> list[str]:
    call(
        clients("s3"),
        "put_bucket_notification_configuration",
        Bucket=bucket,
        NotificationConfiguration={},
    )
    return [f"removed the event notifications of {bucket}"]


def _acceleration(clients: ClientFactory, stack: Stack, bucket: str) -> list[str]:
    if stack.settings.get("transfer_acceleration"):
        return []  # wanted on: Terraform turns it back on
    call(
        clients("s3"),
        "put_bucket_accelerate_configuration",
        Bucket=bucket,
        AccelerateConfiguration={"Status": "Suspended"},
    )
    return [f"suspended transfer acceleration on {bucket}"]


def _website(clients: ClientFactory, stack: Stack, bucket: str) -> list[str]:
    call(clients("s3"), "delete_bucket_website", Bucket=bucket)
    return [f"removed the website configuration of {bucket}"]


def _cors(clients: ClientFactory, stack: Stack, bucket: str) -> list[str]:
    call(clients("s3"), "delete_bucket_cors", Bucket=bucket)
    return [f"removed the CORS rules of {bucket}"]


def _acl(clients: ClientFactory, stack: Stack, bucket: str) -> list[str]:
    call(clients("s3"), "put_bucket_acl", Bucket=bucket, ACL="private")
    return [f"reset the ACL of {bucket} to private"]


def _archive_tiers(clients: ClientFactory, stack: Stack, bucket: str) -> list[str]:
    s3, done = clients("s3"), []
    items = "IntelligentTieringConfigurationList"
    answer = call_all_pages(
        s3, "list_bucket_intelligent_tiering_configurations", items, Bucket=bucket
    )
    for item in answer.data.get(items) or [] if answer.ok else []:
        call(s3, "delete_bucket_intelligent_tiering_configuration", Bucket=bucket, Id=item["Id"])
        done.append(f"removed the Intelligent-Tiering configuration {item['Id']} of {bucket}")
    return done  # archive transitions in lifecycle rules: Terraform restores the rules


def _grants(clients: ClientFactory, stack: Stack, key: str) -> list[str]:
    kms, done = clients("kms"), []
    answer = call_all_pages(kms, "list_grants", "Grants", KeyId=key)
    for grant in answer.data.get("Grants") or [] if answer.ok else []:
        grantee = str(grant.get("GranteePrincipal", ""))
        if grantee.endswith(".amazonaws.com") and ":" not in grantee:
            continue  # made by an AWS service for a resource it encrypts
        call(kms, "revoke_grant", KeyId=key, GrantId=grant["GrantId"])
        done.append(f"revoked the grant of {key.rsplit('/', 1)[-1]} to {grantee}")
    return done


def _table_arn(stack: Stack, name: str) -> str:
    return next(table.arn for table in stack.tables if table.name == name)


def _resource_policy(clients: ClientFactory, stack: Stack, table: str) -> list[str]:
    call(clients("dynamodb"), "delete_resource_policy", ResourceArn=_table_arn(stack, table))
    return [f"removed the resource policy of {table}"]


def _copies(clients: ClientFactory, stack: Stack, table: str) -> list[str]:
    dynamodb, done = clients("dynamodb"), []
    described = call(dynamodb, "describe_table", TableName=table)
    details = described.data.get("Table", {}) if described.ok else {}
    if (details.get("StreamSpecification") or {}).get("StreamEnabled"):
        call(
            dynamodb,
            "update_table",
            TableName=table,
            StreamSpecification={"StreamEnabled": False},
        )
        done.append(f"turned off the stream of {table}")
    for replica in details.get("Replicas") or []:
        region = replica.get("RegionName")
        call(
            dynamodb,
            "update_table",
            TableName=table,
            ReplicaUpdates=[{"Delete": {"RegionName": region}}],
        )
        done.append(f"deleted the replica of {table} in {region}")
    kinesis = call(dynamodb, "describe_kinesis_streaming_destination", TableName=table)
    for item in kinesis.data.get("KinesisDataStreamDestinations") or [] if kinesis.ok else []:
        if item.get("DestinationStatus") in ("ENABLING", "ACTIVE", "UPDATING"):
            call(
                dynamodb,
                "disable_kinesis_streaming_destination",
                TableName=table,
                StreamArn=item["StreamArn"],
            )
            done.append(f"turned off the Kinesis destination {item['StreamArn']} of {table}")
    return done


def _ttl(clients: ClientFactory, stack: Stack, table: str) -> list[str]:
    if stack.settings.get("dynamodb_ttl_attribute"):
        return []  # configured: Terraform sets it back
    dynamodb = clients("dynamodb")
    answer = call(dynamodb, "describe_time_to_live", TableName=table)
    attribute = (answer.data.get("TimeToLiveDescription") or {}).get("AttributeName")
    if not answer.ok or not attribute:
        return []
    call(
        dynamodb,
        "update_time_to_live",
        TableName=table,
        TimeToLiveSpecification={"Enabled": False, "AttributeName": attribute},
    )
    return [f"turned off TTL on {attribute} of {table}"]


def _subscriptions(clients: ClientFactory, stack: Stack, topic: str) -> list[str]:
    sns, done = clients("sns"), []
    wanted = {s for t in stack.topics if t.arn == topic for s in t.subscriptions}
    answer = call_all_pages(sns, "list_subscriptions_by_topic", "Subscriptions", TopicArn=topic)
    for item in answer.data.get("Subscriptions") or [] if answer.ok else []:
        arn = str(item.get("SubscriptionArn", ""))
        if (item.get("Protocol"), item.get("Endpoint")) in wanted or not arn.startswith("arn:"):
            continue
        call(sns, "unsubscribe", SubscriptionArn=arn)
        done.append(f"unsubscribed {item.get('Protocol')} {item.get('Endpoint')} from the alerts")
    return done


REPAIRS: dict[str, Repair] = {
    "s3.replication": _replication,
    "s3.exports": _exports,
    "s3.notifications": _notifications,
    "s3.acceleration": _acceleration,
    "s3.website": _website,
    "s3.cors": _cors,
    "s3.acl": _acl,
    "s3.readable-storage-class": _archive_tiers,
    "kms.grants": _grants,
    "dynamodb.resource-policy": _resource_policy,
    "dynamodb.copies": _copies,
    "dynamodb.ttl": _ttl,
    "sns.subscriptions": _subscriptions,
}


def repairable(report: Report) -> list[Result]:
    return [r for r in report.failures if r.control_id in REPAIRS]


def refused(report: Report) -> list[Result]:
    return [r for r in report.failures if r.control_id in REFUSED]


def repair(stack: Stack, report: Report, clients: ClientFactory) -> list[str]:
    """Remove every foreign configuration the report found; one line per removal."""
    done: list[str] = []
    for result in repairable(report):
        done += REPAIRS[result.control_id](clients, stack, result.subject.name)
    return done


def describe(results: list[Result]) -> list[str]:
    return [f"{r.control_id} on {r.subject.display}: {r.found}" for r in results]


def plan_lines(report: Report) -> list[str]:
    """What `repair` would remove, for a confirmation prompt."""
    return describe(repairable(report))


def repair_before_apply(
    session: Session, target: str, confirm: Callable[[list[str]], bool]
) -> list[str]:
    """`obsctl up`'s step before its apply, on a stack that is deployed: verify the controls of
    BEFORE_APPLY and, when `confirm` accepts the list, repair what they found. Returns the
    removals (none when nothing is deployed yet)."""
    from obsctl.verify.engine import VerifyOptions
    from obsctl.verify.session import verify_session

    state = _state(session)
    if not _deployed(state):
        return []
    report = verify_session(session, VerifyOptions(only=BEFORE_APPLY, target=target), state=state)
    if not repairable(report) or not confirm(plan_lines(report)):
        return []
    return _repair_with_state(session, report, state)


def verify_and_repair(
    session: Session, options: VerifyOptions, confirm: Callable[[list[str]], bool]
) -> tuple[Report, list[str]]:
    """`obsctl up`'s last step: verify; when foreign configuration is found and `confirm`
    accepts the list, remove it and verify again. Returns the final report and the removals."""
    from obsctl.verify.session import verify_session

    report = verify_session(session, options)
    if not repairable(report) or not confirm(plan_lines(report)):
        return report, []
    state = _state(session)
    done = _repair_with_state(session, report, state)
    return verify_session(session, options, state=state), done


def _state(session: Session) -> dict[str, Any]:
    """The state where obsctl keeps it on the local target, else as Terraform pulls it."""
    from obsctl.verify.session import clients_for, load_state, sandbox_state

    state = None
    if session.sandbox is not None:
        state = sandbox_state(session, clients_for(session, session.sandbox.region))
    return state if state is not None else load_state(session)


def _deployed(state: dict[str, Any] | None) -> bool:
    """Whether the state holds a whole stack contract (an apply that was stopped halfway may
    have written some outputs only: the apply that follows completes them)."""
    from obsctl.errors import ObsctlError
    from obsctl.model import StackContract, TerraformJSON

    outputs = TerraformJSON(state or {}).outputs() if state else {}
    if not outputs:
        return False
    try:
        StackContract.from_outputs(outputs)
    except ObsctlError:
        return False
    return True


def _repair_with_state(session: Session, report: Report, state: dict[str, Any]) -> list[str]:
    from obsctl.model import StackContract, TerraformJSON, read_stack
    from obsctl.verify.session import clients_for

    contract = StackContract.from_outputs(TerraformJSON(state).outputs())
    return repair(read_stack(contract, state), report, clients_for(session, contract.region))
