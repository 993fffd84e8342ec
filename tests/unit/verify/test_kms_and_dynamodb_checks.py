"""Key and table controls against recorded KMS and DynamoDB answers and their variations."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from tests.unit.verify.conftest import Stack

from obsctl.verify import dynamodb, kms
from obsctl.verify.model import Result, Status


def key_result(stack: Stack, app: str, check: Callable[..., Result]) -> Result:
    expected, live = stack.snapshot()
    arn = stack.key(app)
    key = next(k for k in expected.keys if k.arn == arn)
    return check(key, live.keys[arn])


def table_result(stack: Stack, name: str, check: Callable[..., Result], *args: object) -> Result:
    expected, live = stack.snapshot()
    table = next(t for t in expected.tables if t.name == name)
    return check(table, live.tables[name], *args)


def test_every_recorded_prod_key_passes_every_key_control(prod: Stack) -> None:
    expected, live = prod.snapshot()
    results = [r for k in expected.keys for r in kms.check_key(k, live.keys[k.arn], expected)]
    assert {r.status for r in results} == {Status.PASS}
    assert len(results) == 4 * 6  # three app keys and the operations key, six controls each


def _metadata(stack: Stack, app: str, **changes: object) -> None:
    arn = stack.key(app)
    answer = stack.aws.recorded("kms", "describe_key", KeyId=arn)
    answer["KeyMetadata"].update(changes)
    stack.aws.respond("kms", "describe_key", answer, KeyId=arn)


def test_a_disabled_key_fails_kms_enabled(prod: Stack) -> None:
    _metadata(prod, "loki", Enabled=False, KeyState="Disabled")
    result = key_result(prod, "loki", kms.check_enabled)
    assert (result.status, result.found) == (Status.FAIL, "the key is not enabled (state Disabled)")


def test_a_key_pending_deletion_fails_and_says_when(prod: Stack) -> None:
    _metadata(
        prod,
        "tempo",
        Enabled=False,
        KeyState="PendingDeletion",
        DeletionDate="2030-01-31T00:00:00+00:00",
    )
    result = key_result(prod, "tempo", kms.check_pending_deletion)
    assert result.status is Status.FAIL
    assert result.found == "the key is scheduled for deletion on 2030-01-31"


def test_rotation_off_fails(prod: Stack) -> None:
    prod.aws.respond(
        "kms", "get_key_rotation_status", {"KeyRotationEnabled": False}, KeyId=prod.key("mimir")
    )
    result = key_result(prod, "mimir", kms.check_rotation)
    assert (result.status, result.found) == (Status.FAIL, "automatic rotation is off")


def _with_statement(stack: Stack, app: str, statement: dict) -> None:
    arn = stack.key(app)
    answer = stack.aws.recorded("kms", "get_key_policy", KeyId=arn, PolicyName="default")
    policy = json.loads(answer["Policy"])
    policy["Statement"].append(statement)
    stack.aws.respond(
        "kms", "get_key_policy", {"Policy": json.dumps(policy)}, KeyId=arn, PolicyName="default"
    )


def _external(stack: Stack, app: str) -> Result:
    expected, live = stack.snapshot()
    key = next(k for k in expected.keys if k.arn == stack.key(app))
    return kms.check_external_access(key, live.keys[key.arn], expected)


@pytest.mark.parametrize(
    ("principal", "condition", "public"),
    [
        ("*", None, True),
        ({"AWS": "*"}, None, True),
        ({"AWS": ["arn:aws:iam::123456789012:root", "*"]}, None, True),
        ({"AWS": "*"}, {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}, True),
        ({"AWS": "*"}, {"StringEquals": {"kms:CallerAccount": "123456789012"}}, False),
        ({"AWS": "*"}, {"StringEquals": {"kms:CallerAccount": "210987654321"}}, True),
        ({"AWS": "*"}, {"StringNotEquals": {"kms:CallerAccount": "123456789012"}}, True),
        ({"AWS": "arn:aws:iam::123456789012:role/x"}, None, False),
        ({"AWS": "arn:aws:iam::210987654321:role/x"}, None, True),
        ({"Service": "cloudtrail.amazonaws.com"}, None, True),
    ],
)
def test_an_allow_outside_the_account_fails_unless_pinned_to_it(
    prod: Stack, principal: object, condition: dict | None, public: bool
) -> None:
    statement = {
        "Sid": "Open",
        "Effect": "Allow",
        "Principal": principal,
        "Action": "kms:Decrypt",
        "Resource": "*",
    }
    if condition:
        statement["Condition"] = condition
    _with_statement(prod, "loki", statement)
    result = _external(prod, "loki")
    assert (result.status is Status.FAIL) is public
    if public:
        assert result.found.startswith("statement Open allows")


def test_a_condition_naming_another_account_is_a_grant_to_it(prod: Stack) -> None:
    statement = {
        "Sid": "Them",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}},
    }
    _with_statement(prod, "loki", statement)
    assert _external(prod, "loki").found == (
        "statement Them allows Principal * on the condition that the caller is in 210987654321"
    )


def test_the_stacks_own_deny_for_everyone_is_not_public(prod: Stack) -> None:
    # The recorded key policy holds Deny Principal {"AWS": "*"} with a kms:ViaService condition.
    assert _external(prod, "loki").status is Status.PASS


def test_a_grant_to_another_account_fails_and_a_service_grant_passes(prod: Stack) -> None:
    arn = prod.key("mimir")
    grants = [
        {"GrantId": "a" * 64, "GranteePrincipal": "dynamodb.us-east-1.amazonaws.com",
         "Operations": ["Decrypt"]},
        {"GrantId": "b" * 64, "Name": "exfil", "GranteePrincipal": "arn:aws:iam::210987654321:root",
         "Operations": ["Decrypt", "CreateGrant"]},
    ]  # fmt: skip
    prod.aws.respond("kms", "list_grants", {"Grants": grants}, KeyId=arn)
    result = key_result(prod, "mimir", kms.check_grants)
    assert (result.status, result.found) == (
        Status.FAIL,
        "grant exfil gives arn:aws:iam::210987654321:root Decrypt, CreateGrant",
    )


def test_a_missing_alias_fails(prod: Stack) -> None:
    arn = prod.key("mimir")
    prod.aws.respond("kms", "list_aliases", {"Aliases": [], "Truncated": False}, KeyId=arn)
    result = key_result(prod, "mimir", kms.check_alias)
    assert result.status is Status.FAIL
    assert result.found == "alias alias/lgtm-prod-123456789012-mimir does not point at this key"


def test_every_recorded_prod_table_passes_every_table_control(prod: Stack) -> None:
    expected, live = prod.snapshot()
    results = [
        r for t in expected.tables for r in dynamodb.check_table(t, live.tables[t.name], expected)
    ]
    assert {r.status for r in results} == {Status.PASS}
    assert {r.control_id for r in results} == {
        "dynamodb.pitr",
        "dynamodb.cmk-encryption",
        "dynamodb.resource-policy",
        "dynamodb.copies",
        "dynamodb.ttl",
        "dynamodb.deletion-protection",
        "dynamodb.billing-mode",
    }


def _table_name(stack: Stack, app: str) -> str:
    return stack.contract.tables[app][0].name


def test_pitr_off_fails(prod: Stack) -> None:
    name = _table_name(prod, "loki")
    answer = prod.aws.recorded("dynamodb", "describe_continuous_backups", TableName=name)
    answer["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"][
        "PointInTimeRecoveryStatus"
    ] = "DISABLED"
    prod.aws.respond("dynamodb", "describe_continuous_backups", answer, TableName=name)
    result = table_result(prod, name, dynamodb.check_pitr)
    assert (result.status, result.found) == (Status.FAIL, "point-in-time recovery is DISABLED")


def _described(stack: Stack, name: str, **changes: object) -> None:
    answer = stack.aws.recorded("dynamodb", "describe_table", TableName=name)
    answer["Table"].update(changes)
    stack.aws.respond("dynamodb", "describe_table", answer, TableName=name)


def test_a_table_encrypted_with_another_key_or_the_aws_owned_key_fails(prod: Stack) -> None:
    name = _table_name(prod, "mimir")
    _described(
        prod,
        name,
        SSEDescription={"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": prod.key("loki")},
    )
    assert table_result(prod, name, dynamodb.check_cmk_encryption).status is Status.FAIL
    _described(prod, name, SSEDescription=None)
    result = table_result(prod, name, dynamodb.check_cmk_encryption)
    assert result.found == "encrypted with the AWS owned key, not the app's key"


def test_deletion_protection_off_fails_where_the_env_asks_for_it(prod: Stack) -> None:
    name = _table_name(prod, "loki")
    _described(prod, name, DeletionProtectionEnabled=False)
    assert table_result(prod, name, dynamodb.check_deletion_protection).status is Status.FAIL


def test_billing_mode_other_than_configured_fails_and_no_summary_means_provisioned(
    prod: Stack,
) -> None:
    name = _table_name(prod, "loki")
    _described(prod, name, BillingModeSummary=None)
    result = table_result(prod, name, dynamodb.check_billing_mode, "PAY_PER_REQUEST")
    assert result.found == "billing mode is PROVISIONED, the env configures PAY_PER_REQUEST"
