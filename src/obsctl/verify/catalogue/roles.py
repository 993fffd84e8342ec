"""Role controls: who can assume each role and what it can do, proved on the live policies."""

from __future__ import annotations

from obsctl.verify.catalogue.control import APPLY, Control

_TRUST = "terraform/modules/iam/trust.tf"
_POLICIES = "terraform/modules/iam/policies.tf"

ROLE_CONTROLS: tuple[Control, ...] = (
    Control(
        "iam.trust-principal",
        "The role trusts only the cluster's OIDC provider (or EKS Pod Identity)",
        "IAM role",
        "high",
        "Trust exactly the cluster's OIDC provider ARN with sts:AssumeRoleWithWebIdentity "
        "(or pods.eks.amazonaws.com with sts:AssumeRole/sts:TagSession), nothing else. " + APPLY,
        checkov=("CKV_AWS_60", "CKV_AWS_61"),
        source=_TRUST,
    ),
    Control(
        "iam.trust-subjects",
        "Trust conditions pin the exact service accounts (never `default`) and the STS audience",
        "IAM role",
        "high",
        "Use StringEquals on <issuer>:sub with exactly the app's service accounts and on "
        "<issuer>:aud = sts.amazonaws.com; no StringLike, no wildcard, no `default` service "
        "account (Pod Identity: aws:SourceAccount and aws:SourceArn of the cluster). " + APPLY,
        source=_TRUST,
    ),
    Control(
        "iam.cluster-subjects",
        "Each cluster's service accounts assume only their app's role (remote accounts included)",
        "EKS cluster",
        "high",
        "Give each service account to one app on every cluster, and keep each cluster's trust "
        "statement to its own OIDC provider and subjects (iam module `clusters`). " + APPLY,
        source=_TRUST,
    ),
    Control(
        "iam.no-wildcard-action",
        "No permission policy allows `*`, `service:*` or NotAction",
        "IAM role",
        "high",
        "List the actions the app needs instead of a wildcard. " + APPLY,
        securityhub=("IAM.1", "IAM.21"),
        checkov=("CKV_AWS_62", "CKV_AWS_63"),
        source=_POLICIES,
    ),
    Control(
        "iam.scoped-resources",
        "Resource `*` only for actions AWS cannot scope to a resource",
        "IAM role",
        "medium",
        "Name the bucket, key or table ARNs; keep `*` only for actions without "
        "resource-level permissions. " + APPLY,
        securityhub=("KMS.1", "KMS.2"),
        checkov=("CKV_AWS_355",),
        source=_POLICIES,
    ),
    Control(
        "iam.no-cross-app-access",
        "No role can touch another app's stores, through its own or the stores' policies",
        "IAM role",
        "high",
        "Remove the grant that reaches the other app's store: an inline or attached policy of "
        "the role, or a bucket, key or table policy (or key grant) naming it. " + APPLY,
        source=_POLICIES,
    ),
    Control(
        "iam.required-access",
        "Each app's role can do what the app needs on its own stores",
        "IAM role",
        "high",
        "Grant ListBucket on the app's buckets, Get/Put/DeleteObject on their objects (Tempo "
        "also Get/PutObjectTagging) and kms:GenerateDataKey + kms:Decrypt on its key ARN. " + APPLY,
        source=_POLICIES,
    ),
    Control(
        "iam.self-modification",
        "No role can change its own permissions or the configuration of a store",
        "IAM role",
        "high",
        "Remove the permissions-management or configuration action (iam:PutRolePolicy, "
        "s3:PutBucketPolicy, kms:CreateGrant, dynamodb:UpdateTable, ...) from the role: "
        "Terraform owns roles, policies and store settings. " + APPLY,
        source=_POLICIES,
    ),
    Control(
        "iam.policy-lint",
        "parliament finds nothing of high severity in the permission policies",
        "IAM policy",
        "low",
        "Read parliament's finding and correct the policy; findings below high severity are "
        "informational.",
        source=_POLICIES,
    ),
)
