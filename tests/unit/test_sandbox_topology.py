"""The local AWS hosts several accounts and regions as the topology needs them: one issuer per
cluster, replication configurations read back as written, objects replicated, and
AssumeRoleWithWebIdentity decided by the role's trust."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from obsctl.sandbox import Sandbox
from obsctl.sandbox.clusters import issuer_url
from obsctl.sandbox.web_identity import unsigned_token

ACCOUNT, REMOTE = "123456789012", "222222222222"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    box = Sandbox(tmp_path_factory.mktemp("sandbox"))
    box.start()
    yield box
    box.stop()


def test_each_cluster_gets_its_own_issuer_in_its_own_account(sandbox: Sandbox) -> None:
    blue = sandbox.seed_cluster("topo-blue")
    green = sandbox.seed_cluster("topo-green")
    remote = sandbox.seed_cluster("topo-east", account=REMOTE, register_issuer=False)
    assert blue.oidc_issuer_url == issuer_url(ACCOUNT, "us-east-1", "topo-blue")
    assert green.oidc_issuer_url == issuer_url(ACCOUNT, "us-east-1", "topo-green")
    assert blue.oidc_issuer_url != green.oidc_issuer_url
    assert remote.arn == f"arn:aws:eks:us-east-1:{REMOTE}:cluster/topo-east"
    assert remote.oidc_provider_arn is None
    local_clusters = sandbox.client("eks").list_clusters()["clusters"]
    assert "topo-east" not in local_clusters and "topo-blue" in local_clusters


# -- replication ----------------------------------------------------------------------------


def _replicated_pair(sandbox: Sandbox, name: str, select_kms: bool = True) -> dict[str, Any]:
    s3 = sandbox.client("s3")
    west = sandbox.client("s3", "us-west-2")
    source_key = sandbox.client("kms").create_key()["KeyMetadata"]["Arn"]
    replica_key = sandbox.client("kms", "us-west-2").create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket=name)
    west.create_bucket(
        Bucket=f"{name}-replica", CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    for client, bucket, key in ((s3, name, source_key), (west, f"{name}-replica", replica_key)):
        client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        client.put_bucket_encryption(
            Bucket=bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": key,
                        },
                        "BucketKeyEnabled": True,
                    }
                ]
            },
        )
    rule: dict[str, Any] = {
        "ID": "replicate-to-us-west-2",
        "Priority": 1,
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "DeleteMarkerReplication": {"Status": "Enabled"},
        "Destination": {
            "Bucket": f"arn:aws:s3:::{name}-replica",
            "StorageClass": "STANDARD",
            "EncryptionConfiguration": {"ReplicaKmsKeyID": replica_key},
        },
    }
    if select_kms:
        rule["SourceSelectionCriteria"] = {"SseKmsEncryptedObjects": {"Status": "Enabled"}}
    configuration = {"Role": f"arn:aws:iam::{ACCOUNT}:role/replication", "Rules": [rule]}
    s3.put_bucket_replication(Bucket=name, ReplicationConfiguration=configuration)
    return {"s3": s3, "west": west, "configuration": configuration, "replica_key": replica_key}


def test_a_replication_configuration_reads_back_as_written(sandbox: Sandbox) -> None:
    pair = _replicated_pair(sandbox, "topo-readback")
    read = pair["s3"].get_bucket_replication(Bucket="topo-readback")["ReplicationConfiguration"]
    assert read == pair["configuration"]  # moto alone drops SourceSelectionCriteria and more
    pair["s3"].delete_bucket_replication(Bucket="topo-readback")
    with pytest.raises(ClientError, match="ReplicationConfigurationNotFoundError"):
        pair["s3"].get_bucket_replication(Bucket="topo-readback")


def test_objects_and_delete_markers_reach_the_replica_under_the_replica_key(
    sandbox: Sandbox,
) -> None:
    pair = _replicated_pair(sandbox, "topo-objects")
    s3, west = pair["s3"], pair["west"]
    s3.put_object(
        Bucket="topo-objects",
        Key="tenant/block-1/meta.json",
        Body=b"{}",
        Metadata={"written-by": "compactor"},
        Tagging="app=mimir",
    )
    upload = s3.create_multipart_upload(Bucket="topo-objects", Key="tenant/block-1/chunks/1")
    part = s3.upload_part(
        Bucket="topo-objects",
        Key="tenant/block-1/chunks/1",
        UploadId=upload["UploadId"],
        PartNumber=1,
        Body=b"x" * 1024,
    )
    s3.complete_multipart_upload(
        Bucket="topo-objects",
        Key="tenant/block-1/chunks/1",
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]},
    )
    replica = west.get_object(Bucket="topo-objects-replica", Key="tenant/block-1/meta.json")
    assert replica["Body"].read() == b"{}" and replica["Metadata"] == {"written-by": "compactor"}
    assert replica["SSEKMSKeyId"] == pair["replica_key"]
    tags = west.get_object_tagging(Bucket="topo-objects-replica", Key="tenant/block-1/meta.json")
    assert tags["TagSet"] == [{"Key": "app", "Value": "mimir"}]
    chunk = west.get_object(Bucket="topo-objects-replica", Key="tenant/block-1/chunks/1")
    assert chunk["Body"].read() == b"x" * 1024

    s3.delete_object(Bucket="topo-objects", Key="tenant/block-1/meta.json")
    versions = west.list_object_versions(Bucket="topo-objects-replica", Prefix="tenant/block-1/m")
    assert [m["IsLatest"] for m in versions.get("DeleteMarkers", [])] == [True]
    # A delete of a specific version is never replicated.
    version = s3.list_object_versions(Bucket="topo-objects", Prefix="tenant/block-1/chunks")
    s3.delete_object(
        Bucket="topo-objects",
        Key="tenant/block-1/chunks/1",
        VersionId=version["Versions"][0]["VersionId"],
    )
    assert west.head_object(Bucket="topo-objects-replica", Key="tenant/block-1/chunks/1")


def test_sse_kms_objects_stay_behind_unless_the_rule_selects_them(sandbox: Sandbox) -> None:
    pair = _replicated_pair(sandbox, "topo-unselected", select_kms=False)
    pair["s3"].put_object(Bucket="topo-unselected", Key="a", Body=b"1")
    listed = pair["west"].list_objects_v2(Bucket="topo-unselected-replica")
    assert listed["KeyCount"] == 0


# -- AssumeRoleWithWebIdentity ---------------------------------------------------------------


def _role(sandbox: Sandbox, name: str, issuer: str, subject: str) -> str:
    host_path = issuer.removeprefix("https://")
    iam = sandbox.client("iam")
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{host_path}"
    if provider not in [
        p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    ]:
        iam.create_open_id_connect_provider(Url=issuer, ClientIDList=["sts.amazonaws.com"])
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{host_path}:sub": subject,
                        f"{host_path}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ],
    }
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def _assume(sandbox: Sandbox, role: str, token: str) -> dict[str, Any]:
    return sandbox.client("sts").assume_role_with_web_identity(
        RoleArn=role, RoleSessionName="pod", WebIdentityToken=token
    )


def test_web_identity_is_decided_by_the_roles_trust(sandbox: Sandbox) -> None:
    issuer = issuer_url(ACCOUNT, "us-east-1", "topo-trust")
    role = _role(sandbox, "topo-loki", issuer, "system:serviceaccount:loki:loki")
    answer = _assume(sandbox, role, unsigned_token(issuer, "system:serviceaccount:loki:loki"))
    assert answer["AssumedRoleUser"]["Arn"].startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/")

    with pytest.raises(ClientError, match="AccessDenied"):
        _assume(sandbox, role, unsigned_token(issuer, "system:serviceaccount:loki:other"))
    with pytest.raises(ClientError, match=r"InvalidIdentityToken.*audience x"):
        _assume(sandbox, role, unsigned_token(issuer, "system:serviceaccount:loki:loki", "x"))
    other = issuer_url(ACCOUNT, "us-east-1", "topo-unregistered")
    with pytest.raises(ClientError, match="InvalidIdentityToken"):
        _assume(sandbox, role, unsigned_token(other, "system:serviceaccount:loki:loki"))
    with pytest.raises(ClientError, match="InvalidIdentityToken"):
        _assume(sandbox, role, "not-a-jwt")
    with pytest.raises(ClientError, match="AccessDenied"):
        _assume(
            sandbox,
            f"arn:aws:iam::{ACCOUNT}:role/absent",
            unsigned_token(issuer, "system:serviceaccount:loki:loki"),
        )
