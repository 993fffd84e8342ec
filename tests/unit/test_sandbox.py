"""The local AWS process: loopback only, its own pid only, seeded clusters, emulator fidelity."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from obsctl.sandbox import Sandbox


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    box = Sandbox(tmp_path_factory.mktemp("sandbox"))
    box.start()
    yield box
    box.stop()


def test_start_binds_loopback_records_pid_and_is_idempotent(sandbox: Sandbox) -> None:
    info = sandbox.require()
    assert info.endpoint_url.startswith("http://127.0.0.1:")
    assert sandbox.start() == info
    recorded = json.loads((sandbox.workdir / "sandbox.json").read_text())
    assert recorded["pid"] == info.pid and recorded["port"] == info.port


def test_environment_points_terraform_at_the_sandbox_and_drops_foreign_settings(
    sandbox: Sandbox,
) -> None:
    base = {
        "AWS_PROFILE": "prod-admin",
        "AWS_SESSION_TOKEN": "t",
        "PATH": "/bin",
        "AWS_ENDPOINT_URL_S3": "https://s3.example.com",
    }
    env = sandbox.apply_environment(base)
    assert env["AWS_ENDPOINT_URL"] == sandbox.require().endpoint_url
    assert env["AWS_ACCESS_KEY_ID"] == "test" and env["PATH"] == "/bin"
    assert not {"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"} & set(env)


def test_seed_cluster_registers_the_issuer_as_an_iam_oidc_provider(sandbox: Sandbox) -> None:
    first = sandbox.seed_cluster("lgtm-unit")
    again = sandbox.seed_cluster("lgtm-unit")
    assert first == again
    assert first.oidc_issuer_url.startswith("https://oidc.eks.us-east-1.amazonaws.com/id/")
    providers = sandbox.client("iam").list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert [p["Arn"] for p in providers].count(first.oidc_provider_arn) == 1
    assert first.oidc_provider_arn.endswith(first.oidc_issuer_url.removeprefix("https://"))


def test_pod_identity_associations_can_be_created_read_updated_and_deleted(
    sandbox: Sandbox,
) -> None:
    sandbox.seed_cluster("lgtm-pods")
    eks = sandbox.client("eks")
    created = eks.create_pod_identity_association(
        clusterName="lgtm-pods",
        namespace="loki",
        serviceAccount="loki",
        roleArn="arn:aws:iam::123456789012:role/loki",
        tags={"team": "obs"},
    )["association"]
    found = eks.describe_pod_identity_association(
        clusterName="lgtm-pods", associationId=created["associationId"]
    )["association"]
    assert (
        found["roleArn"] == "arn:aws:iam::123456789012:role/loki" and found["tags"]["team"] == "obs"
    )
    listed = eks.list_pod_identity_associations(clusterName="lgtm-pods")["associations"]
    assert [a["associationId"] for a in listed] == [created["associationId"]]
    updated = eks.update_pod_identity_association(
        clusterName="lgtm-pods",
        associationId=created["associationId"],
        roleArn="arn:aws:iam::123456789012:role/loki-2",
    )["association"]
    assert updated["roleArn"].endswith("loki-2")
    eks.delete_pod_identity_association(
        clusterName="lgtm-pods", associationId=created["associationId"]
    )
    with pytest.raises(eks.exceptions.ResourceNotFoundException):
        eks.describe_pod_identity_association(
            clusterName="lgtm-pods", associationId=created["associationId"]
        )
    with pytest.raises(eks.exceptions.ResourceNotFoundException):
        eks.create_pod_identity_association(
            clusterName="no-such-cluster",
            namespace="a",
            serviceAccount="b",
            roleArn="arn:aws:iam::1:role/x",
        )


def test_kms_rotation_period_is_stored_and_returned_as_on_aws(sandbox: Sandbox) -> None:
    kms = sandbox.client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    assert "RotationPeriodInDays" not in kms.get_key_rotation_status(KeyId=key)
    kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=90)
    status = kms.get_key_rotation_status(KeyId=key)
    assert status["KeyRotationEnabled"] is True and status["RotationPeriodInDays"] == 90


def test_a_tables_encryption_change_is_stored_and_read_back_as_on_aws(sandbox: Sandbox) -> None:
    kms, dynamodb = sandbox.client("kms"), sandbox.client("dynamodb")
    own, other = (kms.create_key()["KeyMetadata"]["Arn"] for _ in range(2))
    kms.create_alias(AliasName="alias/other-table-key", TargetKeyId=other)
    dynamodb.create_table(
        TableName="encryption-changes",
        KeySchema=[{"AttributeName": "h", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "h", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": own},
    )

    def encryption() -> dict | None:
        table = dynamodb.describe_table(TableName="encryption-changes")["Table"]
        return table.get("SSEDescription")

    assert encryption()["KMSMasterKeyArn"] == own
    dynamodb.update_table(TableName="encryption-changes", SSESpecification={"Enabled": False})
    assert encryption() is None  # the AWS owned key
    answer = dynamodb.update_table(
        TableName="encryption-changes",
        SSESpecification={
            "Enabled": True,
            "SSEType": "KMS",
            "KMSMasterKeyId": "alias/other-table-key",
        },
    )
    assert answer["TableDescription"]["SSEDescription"]["KMSMasterKeyArn"] == other
    assert encryption() == {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": other}
    with pytest.raises(ClientError, match="ValidationException"):
        dynamodb.update_table(
            TableName="encryption-changes",
            SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/gone"},
        )
    assert encryption()["KMSMasterKeyArn"] == other


def test_log_delivery_is_allowed_by_a_prefix_pattern_and_star_principals(sandbox: Sandbox) -> None:
    s3 = sandbox.client("s3")
    s3.create_bucket(Bucket="unit-logs")
    s3.create_bucket(Bucket="unit-source")
    s3.put_bucket_policy(
        Bucket="unit-logs",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": "arn:aws:s3:::unit-logs/*",
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    },
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "logging.s3.amazonaws.com"},
                        "Action": "s3:PutObject",
                        "Resource": "arn:aws:s3:::unit-logs/logs/*",
                    },
                ],
            }
        ),
    )
    s3.put_bucket_logging(
        Bucket="unit-source",
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "unit-logs", "TargetPrefix": "logs/unit-source/"}
        },
    )
    assert (
        s3.get_bucket_logging(Bucket="unit-source")["LoggingEnabled"]["TargetBucket"] == "unit-logs"
    )
    with pytest.raises(s3.exceptions.ClientError, match="InvalidTargetBucketForLogging"):
        s3.put_bucket_logging(
            Bucket="unit-source",
            BucketLoggingStatus={
                "LoggingEnabled": {"TargetBucket": "unit-logs", "TargetPrefix": "elsewhere/"}
            },
        )


def test_stop_never_signals_a_process_that_is_not_the_sandbox(tmp_path: Path) -> None:
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / "sandbox.json").write_text(
            json.dumps({"pid": stranger.pid, "port": 1, "instance_id": "abc", "started_at": 0})
        )
        box = Sandbox(tmp_path)
        assert box.running() is None
        assert box.stop() is False
        assert stranger.poll() is None
    finally:
        stranger.kill()


def test_stop_ends_the_server_and_the_port_stops_answering(tmp_path: Path) -> None:
    box = Sandbox(tmp_path)
    info = box.start()
    assert box.stop() is True
    assert box.running() is None
    with pytest.raises(OSError):
        import socket

        socket.create_connection(("127.0.0.1", info.port), timeout=1).close()


def test_the_server_refuses_a_non_loopback_address(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "obsctl.sandbox.server",
            "--host",
            "0.0.0.0",
            "--ready-file",
            str(tmp_path / "ready"),
            "--instance-id",
            "x",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "only listens on loopback" in result.stderr
    assert not (tmp_path / "ready").exists()


def test_pod_identity_timestamps_are_epoch_seconds_as_the_eks_api_sends(
    sandbox: Sandbox,
) -> None:
    import json
    import urllib.request

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    sandbox.seed_cluster("lgtm-epoch")
    url = f"{sandbox.require().endpoint_url}/clusters/lgtm-epoch/pod-identity-associations"
    body = json.dumps(
        {"namespace": "n", "serviceAccount": "sa", "roleArn": "arn:aws:iam::123456789012:role/r"}
    )
    request = AWSRequest(
        method="POST", url=url, data=body, headers={"Content-Type": "application/json"}
    )
    SigV4Auth(Credentials("test", "test"), "eks", "us-east-1").add_auth(request)
    raw = urllib.request.Request(
        url, data=body.encode(), headers=dict(request.headers), method="POST"
    )
    with urllib.request.urlopen(raw, timeout=10) as answer:
        association = json.loads(answer.read())["association"]
    assert isinstance(association["createdAt"], float)
    assert isinstance(association["modifiedAt"], float)


def test_bucket_metrics_configurations_are_stored_and_never_delete_the_bucket(
    sandbox: Sandbox,
) -> None:
    s3 = sandbox.client("s3")
    s3.create_bucket(Bucket="unit-metrics")
    s3.put_bucket_metrics_configuration(
        Bucket="unit-metrics", Id="EntireBucket", MetricsConfiguration={"Id": "EntireBucket"}
    )
    found = s3.get_bucket_metrics_configuration(Bucket="unit-metrics", Id="EntireBucket")
    assert found["MetricsConfiguration"] == {"Id": "EntireBucket"}
    listed = s3.list_bucket_metrics_configurations(Bucket="unit-metrics")
    assert listed["MetricsConfigurationList"] == [{"Id": "EntireBucket"}]
    s3.delete_bucket_metrics_configuration(Bucket="unit-metrics", Id="EntireBucket")
    assert "unit-metrics" in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    with pytest.raises(s3.exceptions.ClientError, match="NoSuchConfiguration"):
        s3.get_bucket_metrics_configuration(Bucket="unit-metrics", Id="EntireBucket")
