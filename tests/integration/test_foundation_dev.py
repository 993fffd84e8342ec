"""envs/dev applied to the local AWS: every hardening property, read back from the live API."""

from __future__ import annotations

import json

import pytest

from tests.integration.conftest import LiveStack

pytestmark = pytest.mark.xdist_group("dev_stack")


def _lifecycle(stack: LiveStack, bucket: str) -> list[dict]:
    return stack.client("s3").get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]


def _policy(stack: LiveStack, bucket: str) -> dict:
    return json.loads(stack.client("s3").get_bucket_policy(Bucket=bucket)["Policy"])


def test_dev_creates_six_buckets_named_by_prefix_app_and_store(dev_stack: LiveStack) -> None:
    names = {bucket["Name"] for bucket in dev_stack.client("s3").list_buckets()["Buckets"]}
    prefix = dev_stack.contract.name_prefix
    expected = {
        f"{prefix}-{s}"
        for s in (
            "mimir-blocks",
            "mimir-ruler",
            "mimir-alertmanager",
            "loki-chunks",
            "loki-ruler",
            "tempo-traces",
        )
    }
    assert expected <= names
    assert not names & {"chunks", "ruler", "admin"}
    assert prefix == "lgtm-dev-123456789012"


def test_every_bucket_uses_its_apps_key_arn_with_bucket_key(dev_stack: LiveStack) -> None:
    s3 = dev_stack.client("s3")
    for app, _, bucket in dev_stack.contract.all_buckets():
        rule = s3.get_bucket_encryption(Bucket=bucket.name)["ServerSideEncryptionConfiguration"][
            "Rules"
        ][0]
        default = rule["ApplyServerSideEncryptionByDefault"]
        assert default["SSEAlgorithm"] == "aws:kms", bucket.name
        assert default["KMSMasterKeyID"] == dev_stack.contract.kms_keys[app].arn, bucket.name
        assert rule["BucketKeyEnabled"] is True, bucket.name


def test_every_bucket_blocks_public_access_and_enforces_owner(dev_stack: LiveStack) -> None:
    s3 = dev_stack.client("s3")
    for _, _, bucket in dev_stack.contract.all_buckets():
        flags = s3.get_public_access_block(Bucket=bucket.name)["PublicAccessBlockConfiguration"]
        assert flags == {
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        }, bucket.name
        ownership = s3.get_bucket_ownership_controls(Bucket=bucket.name)
        assert ownership["OwnershipControls"]["Rules"] == [
            {"ObjectOwnership": "BucketOwnerEnforced"}
        ]


def test_every_bucket_policy_denies_plain_http_and_old_tls(dev_stack: LiveStack) -> None:
    for _, _, bucket in dev_stack.contract.all_buckets():
        statements = {s["Sid"]: s for s in _policy(dev_stack, bucket.name)["Statement"]}
        insecure = statements["DenyInsecureTransport"]
        assert insecure["Effect"] == "Deny"
        assert insecure["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        assert set(insecure["Resource"]) == {bucket.arn, f"{bucket.arn}/*"}
        tls = statements["DenyOutdatedTLS"]
        assert tls["Effect"] == "Deny"
        assert tls["Condition"] == {"NumericLessThan": {"s3:TlsVersion": "1.2"}}
        assert "x-amz-server-side-encryption" not in json.dumps(statements)


def test_every_bucket_is_versioned_and_expires_noncurrent_versions(dev_stack: LiveStack) -> None:
    s3 = dev_stack.client("s3")
    for _, _, bucket in dev_stack.contract.all_buckets():
        assert s3.get_bucket_versioning(Bucket=bucket.name)["Status"] == "Enabled"
        rules = {rule["ID"]: rule for rule in _lifecycle(dev_stack, bucket.name)}
        noncurrent = rules["expire-noncurrent-versions"]
        assert noncurrent["NoncurrentVersionExpiration"]["NoncurrentDays"] == 7
        assert noncurrent["Filter"] == {"Prefix": ""}
        abort = rules["abort-incomplete-multipart-uploads"]
        assert abort["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}


def test_only_tempo_expires_current_objects_one_day_after_retention(dev_stack: LiveStack) -> None:
    for app, store, bucket in dev_stack.contract.all_buckets():
        expiring = [
            rule
            for rule in _lifecycle(dev_stack, bucket.name)
            if rule.get("Expiration", {}).get("Days")
        ]
        if (app, store) == ("tempo", "traces"):
            assert [rule["Expiration"]["Days"] for rule in expiring] == [8]
            assert expiring[0]["Filter"] == {"Prefix": ""}
        else:
            assert expiring == [], f"{bucket.name} must not expire current objects"


def test_keys_rotate_yearly_and_carry_aliases(dev_stack: LiveStack) -> None:
    kms = dev_stack.client("kms")
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    for app, key in dev_stack.contract.kms_keys.items():
        status = kms.get_key_rotation_status(KeyId=key.arn)
        assert status["KeyRotationEnabled"] is True
        assert status["RotationPeriodInDays"] == 365
        metadata = kms.describe_key(KeyId=key.arn)["KeyMetadata"]
        assert metadata["KeyState"] == "Enabled" and metadata["KeyManager"] == "CUSTOMER"
        assert key.alias == f"alias/lgtm-dev-123456789012-{app}"
        assert aliases[key.alias] == metadata["KeyId"]


def test_key_policies_delegate_to_root_and_deny_use_outside_s3(dev_stack: LiveStack) -> None:
    kms = dev_stack.client("kms")
    for key in dev_stack.contract.kms_keys.values():
        policy = json.loads(kms.get_key_policy(KeyId=key.arn, PolicyName="default")["Policy"])
        statements = {s["Sid"]: s for s in policy["Statement"]}
        assert statements["AccountRootDelegation"]["Principal"] == {
            "AWS": "arn:aws:iam::123456789012:root"
        }
        deny = statements["UseOnlyThroughStorageServices"]
        assert deny["Effect"] == "Deny"
        assert deny["Condition"]["StringNotEquals"]["kms:ViaService"] == [
            "s3.us-east-1.amazonaws.com"
        ]
        for statement in policy["Statement"]:
            if statement["Effect"] == "Allow":
                assert statement["Principal"] not in ("*", {"AWS": "*"})


def test_irsa_trust_pins_provider_arn_subject_and_audience(dev_stack: LiveStack) -> None:
    iam = dev_stack.client("iam")
    provider = dev_stack.contract.oidc_provider_arn
    issuer = provider.split("oidc-provider/")[1]
    for app, role in dev_stack.contract.roles.items():
        document = iam.get_role(RoleName=role.name)["Role"]["AssumeRolePolicyDocument"]
        (statement,) = document["Statement"]
        assert statement["Principal"] == {"Federated": provider}
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert set(statement["Condition"]) == {"StringEquals"}
        equals = statement["Condition"]["StringEquals"]
        subjects = equals[f"{issuer}:sub"]
        subjects = [subjects] if isinstance(subjects, str) else subjects
        assert subjects == [f"system:serviceaccount:{app}:{app}"]
        assert equals[f"{issuer}:aud"] == "sts.amazonaws.com"


def _role_statements(stack: LiveStack, role_name: str) -> list[dict]:
    iam = stack.client("iam")
    statements = []
    for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]
        statements += document["Statement"]
    assert iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"] == []
    return statements


@pytest.mark.parametrize("app", ["mimir", "loki", "tempo"])
def test_storage_roles_reach_only_their_own_buckets_and_key(dev_stack: LiveStack, app: str) -> None:
    contract = dev_stack.contract
    statements = _role_statements(dev_stack, contract.roles[app].name)
    resources = json.dumps([s["Resource"] for s in statements])
    for other in ("mimir", "loki", "tempo"):
        present = contract.kms_keys[other].arn in resources
        assert present == (other == app), f"{app} role and {other} key"
        for bucket in contract.buckets[other].values():
            assert (bucket.arn in resources) == (other == app), f"{app} role and {bucket.name}"
    actions = {
        a
        for s in statements
        for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    }
    assert {
        "s3:ListBucket",
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "kms:GenerateDataKey",
        "kms:Decrypt",
    } <= actions
    assert ("s3:PutObjectTagging" in actions) == (app == "tempo")
    assert not any(a.endswith(":*") or a == "*" for a in actions)


def test_grafana_role_reads_data_sources_without_storage(dev_stack: LiveStack) -> None:
    statements = _role_statements(dev_stack, dev_stack.contract.roles["grafana"].name)
    actions = json.dumps([s["Action"] for s in statements])
    assert "cloudwatch:GetMetricData" in actions
    # CloudWatch Logs stays off until grafana_access names the log groups Grafana may read.
    assert "logs:" not in actions
    assert "s3:" not in actions and "kms:" not in actions


def test_second_plan_of_dev_reports_no_changes(dev_stack: LiveStack) -> None:
    result = dev_stack.session.plan()
    assert result.has_changes is False
