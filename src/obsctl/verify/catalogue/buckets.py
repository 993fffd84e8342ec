"""Bucket controls: how a bucket is encrypted, exposed, shared, copied, locked and kept."""

from __future__ import annotations

from obsctl.verify.catalogue.control import APPLY, REMOVE, Control

_S3 = "terraform/modules/s3-kms/buckets.tf"
_LIFECYCLE = "terraform/modules/s3-kms/lifecycle.tf"

BUCKET_CONTROLS: tuple[Control, ...] = (
    Control(
        "s3.encryption",
        "Default encryption is SSE-KMS with the expected key ARN and Bucket Key on",
        "S3 bucket",
        "high",
        "Set default encryption to aws:kms with the app's key ARN (not an alias) and "
        "BucketKeyEnabled; the access-log bucket stays SSE-S3, which log delivery requires. "
        + APPLY,
        securityhub=("S3.17",),
        checkov=("CKV_AWS_19", "CKV_AWS_145"),
        source=_S3,
    ),
    Control(
        "s3.public-access-block",
        "All four public-access-block flags are on",
        "S3 bucket",
        "high",
        "Turn on BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy and "
        "RestrictPublicBuckets. " + APPLY,
        securityhub=("S3.8",),
        cis=("2.1.4",),
        checkov=("CKV2_AWS_6", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"),
        source=_S3,
    ),
    Control(
        "s3.ownership",
        "Object ownership is BucketOwnerEnforced (ACLs disabled)",
        "S3 bucket",
        "medium",
        "Set the ownership controls rule to BucketOwnerEnforced. " + APPLY,
        securityhub=("S3.12",),
        checkov=("CKV2_AWS_65",),
        source=_S3,
    ),
    Control(
        "s3.acl",
        "The bucket ACL grants nobody but the bucket owner",
        "S3 bucket",
        "high",
        "Reset the ACL to private (`aws s3api put-bucket-acl --acl private --bucket NAME`). "
        + REMOVE,
        securityhub=("S3.2", "S3.3"),
        checkov=("CKV_AWS_20", "CKV_AWS_57"),
        source=_S3,
    ),
    Control(
        "s3.tls-only",
        "Bucket policy denies insecure transport and TLS below 1.2, for every request",
        "S3 bucket",
        "high",
        "Keep the DenyInsecureTransport (aws:SecureTransport = false) and DenyOutdatedTLS "
        "(s3:TlsVersion < 1.2) statements on s3:* for the bucket and its objects, with no other "
        "condition that narrows them. " + APPLY,
        securityhub=("S3.5",),
        cis=("2.1.1",),
        checkov=("CKV_AWS_379",),
        source=_S3,
    ),
    Control(
        "s3.external-access",
        "The bucket policy allows no principal outside the account (and no one anonymously)",
        "S3 bucket",
        "high",
        "Remove the Allow statement naming another account or `*`; only the services the "
        "stack configures (CloudTrail, S3 log delivery) may be allowed, pinned to this "
        "account. " + APPLY,
        securityhub=("S3.2", "S3.3", "S3.6"),
        checkov=("CKV_AWS_70",),
        source=_S3,
    ),
    Control(
        "s3.versioning",
        "Versioning is enabled",
        "S3 bucket",
        "medium",
        "Enable versioning (it must stay paired with a noncurrent-version expiry). " + APPLY,
        securityhub=("S3.14",),
        checkov=("CKV_AWS_21",),
        source=_S3,
    ),
    Control(
        "s3.noncurrent-expiry",
        "An enabled whole-bucket lifecycle rule expires noncurrent versions",
        "S3 bucket",
        "medium",
        "Add a lifecycle rule with NoncurrentVersionExpiration on the empty prefix, or "
        "deleted data is kept forever. " + APPLY,
        securityhub=("S3.10",),
        source=_LIFECYCLE,
    ),
    Control(
        "s3.abort-multipart",
        "An enabled whole-bucket lifecycle rule aborts incomplete multipart uploads",
        "S3 bucket",
        "low",
        "Add AbortIncompleteMultipartUpload (1 day) on the empty prefix. " + APPLY,
        securityhub=("S3.13",),
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
        + APPLY,
        source=_LIFECYCLE,
    ),
    Control(
        "s3.readable-storage-class",
        "Every object stays readable without a restore (no archive class or archive tier)",
        "S3 bucket",
        "high",
        "Transition only to classes with millisecond access (STANDARD_IA, ONEZONE_IA, "
        "INTELLIGENT_TIERING without archive tiers, GLACIER_IR); remove GLACIER/DEEP_ARCHIVE "
        "transitions and Intelligent-Tiering archive configurations. " + APPLY,
        source=_LIFECYCLE,
    ),
    Control(
        "s3.access-logging",
        "Server access logging writes to the env's log bucket (where the env asks for it)",
        "S3 bucket",
        "medium",
        "Enable server access logging into settings.access_log_bucket with the configured "
        "prefix. " + APPLY,
        securityhub=("S3.9", "CloudTrail.7"),
        checkov=("CKV_AWS_18",),
        source="terraform/modules/s3-kms/logging.tf",
    ),
    Control(
        "s3.replication",
        "No replication rule copies the bucket's objects to another bucket",
        "S3 bucket",
        "high",
        "Delete the replication configuration (`aws s3api delete-bucket-replication --bucket "
        "NAME`). " + REMOVE,
        source=_S3,
    ),
    Control(
        "s3.exports",
        "No inventory or analytics export writes the bucket's object list elsewhere",
        "S3 bucket",
        "medium",
        "Delete the inventory and analytics configurations (`aws s3api "
        "delete-bucket-inventory-configuration --bucket NAME --id ID`). " + REMOVE,
        source=_S3,
    ),
    Control(
        "s3.notifications",
        "No event notification sends the bucket's object events to a topic, queue or function",
        "S3 bucket",
        "medium",
        "Clear the notification configuration (`aws s3api "
        "put-bucket-notification-configuration --bucket NAME "
        "--notification-configuration '{}'`). " + REMOVE,
        source=_S3,
    ),
    Control(
        "s3.object-lock",
        "Object Lock is off, so the apps' compactors and lifecycle rules can delete",
        "S3 bucket",
        "high",
        "Object Lock cannot be turned off once on: a COMPLIANCE retention cannot be shortened "
        "either. Move the data to a new bucket without Object Lock (re-create the store) and "
        "find out who enabled it; `obsctl up` refuses to go on while it is on.",
        source=_S3,
    ),
    Control(
        "s3.acceleration",
        "Transfer acceleration is as the env configures it (settings.transfer_acceleration)",
        "S3 bucket",
        "low",
        "Suspend transfer acceleration (`aws s3api put-bucket-accelerate-configuration "
        "--bucket NAME --accelerate-configuration Status=Suspended`). " + REMOVE,
        source=_S3,
    ),
    Control(
        "s3.website",
        "Static website hosting is off",
        "S3 bucket",
        "medium",
        "Delete the website configuration (`aws s3api delete-bucket-website --bucket NAME`). "
        + REMOVE,
        source=_S3,
    ),
    Control(
        "s3.cors",
        "No CORS rule lets web pages of other origins call the bucket",
        "S3 bucket",
        "medium",
        "Delete the CORS configuration (`aws s3api delete-bucket-cors --bucket NAME`). " + REMOVE,
        source=_S3,
    ),
    Control(
        "s3.access-points",
        "No access point opens another way into the bucket",
        "S3 bucket",
        "high",
        "Delete the access point (`aws s3control delete-access-point --account-id ACCOUNT "
        "--name NAME`) after finding out who made it: `obsctl up` does not delete resources "
        "it did not create.",
        source=_S3,
    ),
)
