"""The controls `obsctl verify` evaluates: one named, documented check per id.

Each control says what it proves, how to fix a failure, and which AWS Foundational Security Best
Practices (FSBP), CIS AWS Foundations (v4.0.0) and checkov checks cover the same ground. The
catalogue is the single source of the ids that `--only` and `--skip` accept and of the rules a
SARIF file declares; docs/verify.md describes it for people.
"""

from __future__ import annotations

from dataclasses import dataclass

FAMILIES = ("s3", "kms", "dynamodb", "iam", "drift")


@dataclass(frozen=True)
class Control:
    """One check: what it proves, on which resources, how to fix it, what it maps to."""

    id: str
    title: str
    resource_type: str
    severity: str  # "high", "medium" or "low"
    fix: str
    fsbp: tuple[str, ...] = ()
    cis: tuple[str, ...] = ()
    checkov: tuple[str, ...] = ()
    source: str = ""  # the Terraform file that configures what the control checks

    @property
    def family(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def mappings(self) -> str:
        """ "FSBP S3.8, CIS 2.1.4" or "" when nothing maps."""
        parts = [f"FSBP {item}" for item in self.fsbp] + [f"CIS {item}" for item in self.cis]
        return ", ".join(parts)


_S3 = "terraform/modules/s3-kms/buckets.tf"
_LIFECYCLE = "terraform/modules/s3-kms/lifecycle.tf"
_KMS = "terraform/modules/s3-kms/kms.tf"
_TABLES = "terraform/modules/dynamodb/main.tf"
_TRUST = "terraform/modules/iam/trust.tf"
_POLICIES = "terraform/modules/iam/policies.tf"
_STACK = "terraform/modules/stack/main.tf"
_APPLY = "Re-apply the stack (`obsctl up`) so Terraform restores it."

CONTROLS: tuple[Control, ...] = (
    # -- buckets ---------------------------------------------------------------------------
    Control(
        "s3.encryption",
        "Default encryption is SSE-KMS with the expected key ARN and Bucket Key on",
        "S3 bucket",
        "high",
        "Set default encryption to aws:kms with the app's key ARN (not an alias) and "
        "BucketKeyEnabled; the access-log bucket stays SSE-S3, which log delivery requires. "
        + _APPLY,
        fsbp=("S3.4",),
        checkov=("CKV_AWS_19", "CKV_AWS_145"),
        source=_S3,
    ),
    Control(
        "s3.public-access-block",
        "All four public-access-block flags are on",
        "S3 bucket",
        "high",
        "Turn on BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy and "
        "RestrictPublicBuckets. " + _APPLY,
        fsbp=("S3.8",),
        cis=("2.1.4",),
        checkov=("CKV2_AWS_6", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"),
        source=_S3,
    ),
    Control(
        "s3.ownership",
        "Object ownership is BucketOwnerEnforced (ACLs disabled)",
        "S3 bucket",
        "medium",
        "Set the ownership controls rule to BucketOwnerEnforced. " + _APPLY,
        fsbp=("S3.12",),
        checkov=("CKV2_AWS_65",),
        source=_S3,
    ),
    Control(
        "s3.tls-only",
        "Bucket policy denies insecure transport and TLS below 1.2",
        "S3 bucket",
        "high",
        "Keep the DenyInsecureTransport (aws:SecureTransport = false) and DenyOutdatedTLS "
        "(s3:TlsVersion < 1.2) statements on s3:* for the bucket and its objects. " + _APPLY,
        fsbp=("S3.5",),
        cis=("2.1.1",),
        checkov=("CKV_AWS_379",),
        source=_S3,
    ),
    Control(
        "s3.versioning",
        "Versioning is enabled",
        "S3 bucket",
        "medium",
        "Enable versioning (it must stay paired with a noncurrent-version expiry). " + _APPLY,
        fsbp=("S3.14",),
        checkov=("CKV_AWS_21",),
        source=_S3,
    ),
    Control(
        "s3.noncurrent-expiry",
        "An enabled whole-bucket lifecycle rule expires noncurrent versions",
        "S3 bucket",
        "medium",
        "Add a lifecycle rule with NoncurrentVersionExpiration on the empty prefix, or "
        "deleted data is kept forever. " + _APPLY,
        fsbp=("S3.10",),
        source=_LIFECYCLE,
    ),
    Control(
        "s3.abort-multipart",
        "An enabled whole-bucket lifecycle rule aborts incomplete multipart uploads",
        "S3 bucket",
        "low",
        "Add AbortIncompleteMultipartUpload (1 day) on the empty prefix. " + _APPLY,
        fsbp=("S3.13",),
        checkov=("CKV_AWS_300",),
        source=_LIFECYCLE,
    ),
    Control(
        "s3.safe-expiry",
        "No lifecycle rule expires data the app still needs",
        "S3 bucket",
        "high",
        "Remove the expiry: Mimir blocks expire only as the configured safety net on tenant "
        "prefixes, Loki only on tenant prefixes (never index/ or an empty prefix) after its "
        "retention, Tempo no earlier than retention + 1 day, ruler/alertmanager/admin never. "
        + _APPLY,
        source=_LIFECYCLE,
    ),
    Control(
        "s3.access-logging",
        "Server access logging writes to the env's log bucket (where the env asks for it)",
        "S3 bucket",
        "medium",
        "Enable server access logging into settings.access_log_bucket with the configured "
        "prefix. " + _APPLY,
        fsbp=("S3.9",),
        checkov=("CKV_AWS_18",),
        source="terraform/modules/s3-kms/logging.tf",
    ),
    # -- keys ------------------------------------------------------------------------------
    Control(
        "kms.enabled",
        "The key is enabled",
        "KMS key",
        "high",
        "Enable the key (`aws kms enable-key`); with it disabled the app can neither read nor "
        "write its bucket. " + _APPLY,
        checkov=("CKV_AWS_227",),
        source=_KMS,
    ),
    Control(
        "kms.rotation",
        "Automatic key rotation is on",
        "KMS key",
        "medium",
        "Enable automatic rotation (`aws kms enable-key-rotation`). " + _APPLY,
        fsbp=("KMS.4",),
        cis=("3.6",),
        checkov=("CKV_AWS_7",),
        source=_KMS,
    ),
    Control(
        "kms.pending-deletion",
        "The key is not scheduled for deletion",
        "KMS key",
        "high",
        "Cancel the deletion (`aws kms cancel-key-deletion`, then enable the key) before the "
        "waiting period ends, or every object encrypted with it is lost.",
        fsbp=("KMS.3",),
        source=_KMS,
    ),
    Control(
        "kms.public-principal",
        "The key policy allows no unconditioned `*` principal",
        "KMS key",
        "high",
        "Remove the Allow statement for Principal `*`, or restrict it with kms:CallerAccount / "
        "aws:PrincipalAccount (kms:ViaService alone does not). " + _APPLY,
        fsbp=("KMS.5",),
        checkov=("CKV_AWS_33",),
        source=_KMS,
    ),
    Control(
        "kms.alias",
        "The key's alias exists and points at it",
        "KMS key",
        "low",
        "Recreate the alias for the key. " + _APPLY,
        source=_KMS,
    ),
    # -- tables ----------------------------------------------------------------------------
    Control(
        "dynamodb.pitr",
        "Point-in-time recovery is enabled",
        "DynamoDB table",
        "medium",
        "Enable point-in-time recovery. " + _APPLY,
        fsbp=("DynamoDB.2",),
        checkov=("CKV_AWS_28",),
        source=_TABLES,
    ),
    Control(
        "dynamodb.cmk-encryption",
        "The table is encrypted with the app's customer-managed key",
        "DynamoDB table",
        "medium",
        "Set SSE to KMS with the app's key ARN. " + _APPLY,
        checkov=("CKV_AWS_119",),
        source=_TABLES,
    ),
    Control(
        "dynamodb.deletion-protection",
        "Deletion protection is on (where the env asks for it)",
        "DynamoDB table",
        "medium",
        "Turn deletion protection on. " + _APPLY,
        fsbp=("DynamoDB.6",),
        source=_TABLES,
    ),
    Control(
        "dynamodb.billing-mode",
        "The billing mode is the one the env configures",
        "DynamoDB table",
        "low",
        "Switch the table back to settings.dynamodb_billing_mode. " + _APPLY,
        fsbp=("DynamoDB.1",),
        checkov=("CKV2_AWS_16",),
        source=_TABLES,
    ),
    # -- roles -----------------------------------------------------------------------------
    Control(
        "iam.trust-principal",
        "The role trusts only the cluster's OIDC provider (or EKS Pod Identity)",
        "IAM role",
        "high",
        "Trust exactly the cluster's OIDC provider ARN with sts:AssumeRoleWithWebIdentity "
        "(or pods.eks.amazonaws.com with sts:AssumeRole/sts:TagSession), nothing else. " + _APPLY,
        checkov=("CKV_AWS_60", "CKV_AWS_61"),
        source=_TRUST,
    ),
    Control(
        "iam.trust-subjects",
        "Trust conditions pin the exact service accounts and the STS audience",
        "IAM role",
        "high",
        "Use StringEquals on <issuer>:sub with exactly the app's service accounts and on "
        "<issuer>:aud = sts.amazonaws.com; no StringLike, no wildcard (Pod Identity: "
        "aws:SourceAccount and aws:SourceArn of the cluster). " + _APPLY,
        source=_TRUST,
    ),
    Control(
        "iam.no-wildcard-action",
        "No permission policy allows `*`, `service:*` or NotAction",
        "IAM role",
        "high",
        "List the actions the app needs instead of a wildcard. " + _APPLY,
        fsbp=("IAM.1", "IAM.21"),
        cis=("1.16",),
        checkov=("CKV_AWS_62", "CKV_AWS_63"),
        source=_POLICIES,
    ),
    Control(
        "iam.scoped-resources",
        "Resource `*` only for actions AWS cannot scope to a resource",
        "IAM role",
        "medium",
        "Name the bucket, key or table ARNs; keep `*` only for actions without "
        "resource-level permissions. " + _APPLY,
        fsbp=("KMS.1", "KMS.2"),
        checkov=("CKV_AWS_355",),
        source=_POLICIES,
    ),
    Control(
        "iam.no-cross-app-access",
        "No role can touch another app's buckets, keys or tables (Grafana: no S3/KMS at all)",
        "IAM role",
        "high",
        "Remove the grant that reaches the other app's store (inline or attached policy); "
        "each role names only its own bucket and key ARNs.",
        source=_POLICIES,
    ),
    Control(
        "iam.required-access",
        "Each app's role can do what the app needs on its own stores",
        "IAM role",
        "high",
        "Grant ListBucket on the app's buckets, Get/Put/DeleteObject on their objects (Tempo "
        "also Get/PutObjectTagging) and kms:GenerateDataKey + kms:Decrypt on its key ARN. "
        + _APPLY,
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
    # -- drift -----------------------------------------------------------------------------
    Control(
        "drift.missing",
        "Every bucket, key, role and table of the contract still exists",
        "stack resource",
        "high",
        "Re-apply the stack (`obsctl up`) to recreate it, and find out who deleted it.",
        source=_STACK,
    ),
    Control(
        "drift.tags",
        "Tags are the ones Terraform applied",
        "stack resource",
        "low",
        "Re-apply the stack (`obsctl up`), or add the tags to the configuration.",
        source=_STACK,
    ),
    Control(
        "drift.lifecycle",
        "Lifecycle rules are the ones Terraform applied",
        "S3 bucket",
        "medium",
        "Re-apply the stack (`obsctl up`); change lifecycle rules through the env's settings.",
        source=_LIFECYCLE,
    ),
    Control(
        "drift.policies",
        "Bucket, key, trust and role policies are the ones Terraform applied",
        "stack resource",
        "high",
        "Re-apply the stack (`obsctl up`); remove policies and attachments Terraform does not "
        "manage (an extra inline or attached policy survives a re-apply).",
        source=_STACK,
    ),
    Control(
        "drift.settings",
        "Other settings match the configuration (rotation period, session limits, table class)",
        "stack resource",
        "low",
        _APPLY,
        source=_STACK,
    ),
)

_BY_ID = {control.id: control for control in CONTROLS}


def control(control_id: str) -> Control:
    return _BY_ID[control_id]


def resolve_selector(selector: str) -> tuple[str, ...]:
    """The control ids a selector names: an id, a family (`s3`) or a mapped FSBP/CIS id.

    Returns () when nothing matches. Ids and families match case-insensitively; FSBP ids as
    written in the catalogue (`S3.9`, `KMS.4`) and CIS ids with their prefix (`CIS-2.1.1`).
    """
    text = selector.strip()
    lowered = text.lower()
    if lowered in _BY_ID:
        return (lowered,)
    if lowered in FAMILIES:
        return tuple(c.id for c in CONTROLS if c.family == lowered)
    if lowered.startswith("cis-"):
        number = text[4:]
        return tuple(c.id for c in CONTROLS if number in c.cis)
    upper = text.upper().replace("DYNAMODB", "DynamoDB")
    return tuple(c.id for c in CONTROLS if upper in c.fsbp)
