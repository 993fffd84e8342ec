"""Seed the sandbox with what a real EKS account already has before our stack is applied."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The root CA thumbprint AWS documents for EKS OIDC issuers; IAM ignores it for EKS today.
_EKS_THUMBPRINT = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"


@dataclass(frozen=True)
class ClusterInfo:
    """An EKS cluster seeded in the sandbox, with the IAM OIDC provider IRSA needs."""

    name: str
    arn: str
    oidc_issuer_url: str
    oidc_provider_arn: str | None


def seed_cluster(
    eks: Any, iam: Any, account: str, name: str, register_issuer: bool = True
) -> ClusterInfo:
    """Create the cluster `name` unless it exists, and its IAM OIDC provider unless registered
    (or unless `register_issuer` is False: the stack registers it)."""
    try:
        cluster = eks.describe_cluster(name=name)["cluster"]
    except eks.exceptions.ResourceNotFoundException:
        cluster = eks.create_cluster(
            name=name,
            roleArn=f"arn:aws:iam::{account}:role/{name}-cluster",
            resourcesVpcConfig={"subnetIds": []},
        )["cluster"]
    issuer = cluster["identity"]["oidc"]["issuer"]
    provider_arn = _find_oidc_provider(iam, issuer)
    if provider_arn is None and register_issuer:
        provider_arn = iam.create_open_id_connect_provider(
            Url=issuer, ClientIDList=["sts.amazonaws.com"], ThumbprintList=[_EKS_THUMBPRINT]
        )["OpenIDConnectProviderArn"]
    return ClusterInfo(
        name=name, arn=cluster["arn"], oidc_issuer_url=issuer, oidc_provider_arn=provider_arn
    )


def _find_oidc_provider(iam: Any, issuer: str) -> str | None:
    host_path = issuer.removeprefix("https://")
    for provider in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
        if provider["Arn"].endswith(f":oidc-provider/{host_path}"):
            return provider["Arn"]
    return None


def seed_account_public_access_block(s3control: Any, account: str) -> None:
    """Turn on the account's S3 public access block unless the account has one: the local AWS
    is an account whose platform team followed CIS 2.1.4 / Security Hub S3.1 (a setting found
    changed is left alone, for `obsctl verify` to report)."""
    try:
        s3control.get_public_access_block(AccountId=account)
    except s3control.exceptions.NoSuchPublicAccessBlockConfiguration:
        flags = (
            "BlockPublicAcls",
            "IgnorePublicAcls",
            "BlockPublicPolicy",
            "RestrictPublicBuckets",
        )
        s3control.put_public_access_block(
            AccountId=account, PublicAccessBlockConfiguration=dict.fromkeys(flags, True)
        )
