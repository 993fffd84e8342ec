"""Bucket controls: encryption, public access, ownership, transport, versioning, lifecycle, logs.

Each function judges one bucket from its snapshot and returns one Result. S3 answers a missing
configuration with an error code (NoSuchLifecycleConfiguration, NoSuchBucketPolicy,
NoSuchPublicAccessBlockConfiguration, ServerSideEncryptionConfigurationNotFoundError,
OwnershipControlsNotFoundError); those mean "not configured" and fail the control, any other
error means "could not be read" and makes the result an ERROR.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from obsctl.model.lifecycle import LifecycleRule, from_api
from obsctl.model.stack import Bucket, Stack
from obsctl.verify import sharing
from obsctl.verify.aws import Answer
from obsctl.verify.collect import BucketLive
from obsctl.verify.model import Result, errored, failed, judged, passed, subject

NOT_CONFIGURED = {
    "encryption": "ServerSideEncryptionConfigurationNotFoundError",
    "public_access_block": "NoSuchPublicAccessBlockConfiguration",
    "ownership": "OwnershipControlsNotFoundError",
    "policy": "NoSuchBucketPolicy",
    "lifecycle": "NoSuchLifecycleConfiguration",
    "tagging": "NoSuchTagSet",
}
PAB_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def _unreadable(control_id: str, bucket: Bucket, answer: Answer) -> Result:
    return errored(control_id, subject(bucket), f"could not read it ({answer.describe_error()})")


def _configured(answer: Answer, read: str) -> bool | None:
    """True: configured; False: S3 says it is not; None: the read failed otherwise."""
    if answer.ok:
        return True
    if answer.error == NOT_CONFIGURED.get(read):
        return False
    return None


def check_encryption(bucket: Bucket, live: BucketLive) -> Result:
    cid, answer = "s3.encryption", live["encryption"]
    state = _configured(answer, "encryption")
    if state is None:
        return _unreadable(cid, bucket, answer)
    if not state:
        return failed(cid, subject(bucket), "no default encryption is configured")
    rules = answer.data.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    if not rules:
        return failed(cid, subject(bucket), "the encryption configuration has no rule")
    rule = rules[0]
    default = rule.get("ApplyServerSideEncryptionByDefault", {})
    algorithm, key = default.get("SSEAlgorithm"), default.get("KMSMasterKeyID")
    if bucket.key_arn is None:
        # Server access log targets must use SSE-S3: log delivery cannot write SSE-KMS objects.
        if algorithm == "AES256":
            return passed(cid, subject(bucket), "SSE-S3 (AES256), as log delivery requires")
        return failed(
            cid,
            subject(bucket),
            f"default encryption is {algorithm}; a log target must use SSE-S3 (AES256)",
        )
    problems = []
    if algorithm != "aws:kms":
        problems.append(f"default encryption is {algorithm}, not SSE-KMS (aws:kms)")
    elif key != bucket.key_arn:
        if key and (":alias/" in key or key.startswith("alias/")):
            problems.append(f"the key is the alias {key}, not the key ARN {bucket.key_arn}")
        elif not key:
            problems.append("SSE-KMS names no key (the AWS managed aws/s3 key is used)")
        else:
            problems.append(f"the key is {key}, not the app's key {bucket.key_arn}")
    if not rule.get("BucketKeyEnabled"):
        problems.append("Bucket Key is off (every object request calls KMS)")
    return judged(cid, subject(bucket), problems, f"SSE-KMS with {bucket.key_arn}, Bucket Key on")


def check_public_access_block(bucket: Bucket, live: BucketLive) -> Result:
    cid, answer = "s3.public-access-block", live["public_access_block"]
    state = _configured(answer, "public_access_block")
    if state is None:
        return _unreadable(cid, bucket, answer)
    if not state:
        return failed(cid, subject(bucket), "the bucket has no public access block")
    flags = answer.data.get("PublicAccessBlockConfiguration", {})
    off = [flag for flag in PAB_FLAGS if not flags.get(flag)]
    problems = [f"{', '.join(off)} {'is' if len(off) == 1 else 'are'} off"] if off else []
    return judged(cid, subject(bucket), problems, "all four flags on")


def check_ownership(bucket: Bucket, live: BucketLive) -> Result:
    cid, answer = "s3.ownership", live["ownership"]
    state = _configured(answer, "ownership")
    if state is None:
        return _unreadable(cid, bucket, answer)
    if not state:
        return failed(cid, subject(bucket), "no ownership controls: ACLs are still honoured")
    rules = answer.data.get("OwnershipControls", {}).get("Rules", [])
    owners = [rule.get("ObjectOwnership") for rule in rules]
    if owners == ["BucketOwnerEnforced"]:
        return passed(cid, subject(bucket), "BucketOwnerEnforced")
    return failed(
        cid, subject(bucket), f"object ownership is {', '.join(map(str, owners)) or 'unset'}"
    )


def _values(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(item).lower() for item in value]
    return [str(value).lower()]


def _denies_everyone_everything(statement: dict[str, Any], bucket: Bucket) -> bool:
    principal = statement.get("Principal")
    everyone = principal == "*" or (
        isinstance(principal, dict)
        and set(principal) == {"AWS"}
        and _values(principal["AWS"]) == ["*"]
    )
    actions = _values(statement.get("Action", []))
    resources = statement.get("Resource", [])
    resources = [resources] if isinstance(resources, str) else list(resources)
    covers = {bucket.arn, f"{bucket.arn}/*"} <= set(resources) or "*" in resources
    return (
        statement.get("Effect") == "Deny"
        and everyone
        and "NotPrincipal" not in statement
        and ("s3:*" in actions or "*" in actions)
        and covers
    )


def _only_condition(statement: dict[str, Any], operator: str, key: str) -> list[str] | None:
    """The values of `key` when it is the statement's one condition under `operator`; None
    when the condition has any other operator or key (which narrows the Deny)."""
    condition = statement.get("Condition") or {}
    if list(condition) != [operator] or not isinstance(condition[operator], dict):
        return None
    block = {k.lower(): v for k, v in condition[operator].items()}
    if list(block) != [key]:
        return None
    return _values(block[key])


def tls_statements(policy: dict[str, Any], bucket: Bucket) -> tuple[bool, bool]:
    """(denies plain HTTP, denies TLS < 1.2) for the whole bucket and every principal, with no
    other condition that would let some requests through."""
    statements = policy.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    http = tls = False
    for statement in statements:
        if not _denies_everyone_everything(statement, bucket):
            continue
        if _only_condition(statement, "Bool", "aws:securetransport") == ["false"]:
            http = True
        versions = _only_condition(statement, "NumericLessThan", "s3:tlsversion")
        if versions and all(_as_float(v) >= 1.2 for v in versions):
            tls = True
    return http, tls


def _as_float(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0


def check_tls_only(bucket: Bucket, live: BucketLive) -> Result:
    cid, answer = "s3.tls-only", live["policy"]
    state = _configured(answer, "policy")
    if state is None:
        return _unreadable(cid, bucket, answer)
    if not state:
        return failed(cid, subject(bucket), "the bucket has no policy, so plain HTTP is allowed")
    try:
        policy = json.loads(answer.data.get("Policy") or "{}")
    except ValueError:
        return failed(cid, subject(bucket), "the bucket policy is not valid JSON")
    http, tls = tls_statements(policy, bucket)
    problems = []
    if not http:
        problems.append("no statement denies requests without TLS (aws:SecureTransport = false)")
    if not tls:
        problems.append("no statement denies TLS versions below 1.2 (s3:TlsVersion)")
    return judged(cid, subject(bucket), problems, "denies plain HTTP and TLS < 1.2")


def check_versioning(bucket: Bucket, live: BucketLive) -> Result:
    cid, answer = "s3.versioning", live["versioning"]
    if not answer.ok:
        return _unreadable(cid, bucket, answer)
    status = answer.data.get("Status")
    if status == "Enabled":
        return passed(cid, subject(bucket), "Enabled")
    return failed(cid, subject(bucket), f"versioning is {status or 'never enabled'}")


def live_rules(live: BucketLive) -> tuple[LifecycleRule, ...] | None:
    """The bucket's lifecycle rules; () when S3 says there is no configuration; None on error."""
    answer = live["lifecycle"]
    state = _configured(answer, "lifecycle")
    if state is None:
        return None
    if not state:
        return ()
    return tuple(from_api(rule) for rule in answer.data.get("Rules", []))


def check_noncurrent_expiry(bucket: Bucket, live: BucketLive) -> Result:
    return _whole_bucket_rule(
        "s3.noncurrent-expiry",
        bucket,
        live,
        lambda rule: (
            f"noncurrent versions expire after {rule.noncurrent_expiration_days:g} d ({rule.id})"
            if rule.noncurrent_expiration_days
            else None
        ),
        missing="no enabled whole-bucket rule expires noncurrent versions",
    )


def check_abort_multipart(bucket: Bucket, live: BucketLive) -> Result:
    return _whole_bucket_rule(
        "s3.abort-multipart",
        bucket,
        live,
        lambda rule: (
            f"incomplete uploads aborted after {rule.abort_multipart_days:g} d ({rule.id})"
            if rule.abort_multipart_days
            else None
        ),
        missing="no enabled whole-bucket rule aborts incomplete multipart uploads",
    )


def _whole_bucket_rule(
    cid: str,
    bucket: Bucket,
    live: BucketLive,
    describe: Callable[[LifecycleRule], str | None],
    missing: str,
) -> Result:
    """Passes on the first enabled rule for the whole bucket that `describe` says does the job."""
    rules = live_rules(live)
    if rules is None:
        return _unreadable(cid, bucket, live["lifecycle"])
    if not rules:
        return failed(
            cid, subject(bucket), "no lifecycle configuration (NoSuchLifecycleConfiguration)"
        )
    for rule in rules:
        if rule.enabled and rule.whole_bucket and (detail := describe(rule)):
            return passed(cid, subject(bucket), detail)
    return failed(cid, subject(bucket), missing)


def expiry_problems(rule: LifecycleRule, bucket: Bucket, stack: Stack) -> list[str]:
    """Why an enabled rule that expires current objects deletes data the app still needs,
    judged by the bucket's expiry guard (the contract says what an expiry may reach)."""
    if rule.expiration_date is not None:
        return [f"rule {rule.id} expires every object in scope on {rule.expiration_date}"]
    days = rule.expiration_days or 0
    guard = bucket.expiry_guard
    if guard is None:
        return [
            f"rule {rule.id} expires the {bucket.app} {bucket.store} store after {days:g} d; "
            "it must never expire"
        ]
    if guard.prefixes == ():
        return [
            f"rule {rule.id} expires {bucket.app.capitalize()} {bucket.store} after {days:g} d, "
            "but no safety net is configured: the compactor owns retention"
        ]
    problems = []
    if guard.prefixes is not None and rule.prefix not in guard.prefixes:
        problems.append(
            f"rule {rule.id} expires {rule.scope()}, not one of the configured tenant prefixes"
        )
    # A rule reaches a protected prefix when one contains the other: "" and "index" reach
    # "index/", and so does "index/index_" (every object it covers is under "index/").
    reached = [
        prefix
        for prefix in guard.protected_prefixes
        if prefix.startswith(rule.prefix) or rule.prefix.startswith(prefix)
    ]
    if reached and rule.prefix == "":
        problems.append(
            f"rule {rule.id} expires the whole bucket, which reaches {', '.join(reached)}"
        )
    elif reached:
        problems.append(f"rule {rule.id} expires {', '.join(reached)}")
    if days < guard.min_days:
        retention = stack.retention(bucket.app)
        floor = _FLOOR.get(bucket.app, "before the {min_days} d its retention needs")
        problems.append(
            f"rule {rule.id} expires {bucket.store} after {days:g} d, "
            + floor.format(retention=retention, min_days=guard.min_days)
        )
    return problems


# How each app's expiry floor reads; the floor itself is the contract's expiry_guard.min_days.
_FLOOR = {
    "mimir": "within Mimir's retention of {retention} d",
    "loki": "within Loki's retention of {retention} d (plus the delete delay)",
    "tempo": "before Tempo's retention of {retention} d + 1 day",
}


def check_safe_expiry(bucket: Bucket, live: BucketLive, stack: Stack) -> Result:
    cid = "s3.safe-expiry"
    rules = live_rules(live)
    if rules is None:
        return _unreadable(cid, bucket, live["lifecycle"])
    problems = []
    for rule in rules:
        if rule.enabled and rule.expires_current_objects:
            problems += expiry_problems(rule, bucket, stack)
    expiring = [r for r in rules if r.enabled and r.expires_current_objects]
    ok_text = (
        "; ".join(f"{r.id} after {r.expiration_days} d on {r.scope()}" for r in expiring)
        or "no rule expires current objects"
    )
    return judged(cid, subject(bucket), problems, ok_text)


def check_access_logging(bucket: Bucket, live: BucketLive) -> Result:
    cid, answer = "s3.access-logging", live["logging"]
    if not answer.ok:
        return _unreadable(cid, bucket, answer)
    enabled = answer.data.get("LoggingEnabled")
    if not enabled:
        return failed(cid, subject(bucket), "server access logging is off")
    problems = []
    if enabled.get("TargetBucket") != bucket.access_log_target:
        problems.append(f"logs go to {enabled.get('TargetBucket')}, not {bucket.access_log_target}")
    if (
        bucket.access_log_prefix is not None
        and enabled.get("TargetPrefix") != bucket.access_log_prefix
    ):
        problems.append(
            f"log prefix is {enabled.get('TargetPrefix')!r}, not {bucket.access_log_prefix!r}"
        )
    return judged(
        cid,
        subject(bucket),
        problems,
        f"logs to {bucket.access_log_target}/{enabled.get('TargetPrefix', '')}",
    )


def check_bucket(bucket: Bucket, live: BucketLive, stack: Stack) -> list[Result]:
    """Every bucket control that applies to this bucket."""
    results = [
        check_encryption(bucket, live),
        check_public_access_block(bucket, live),
        check_ownership(bucket, live),
        sharing.check_acl(bucket, live),
        check_tls_only(bucket, live),
        sharing.check_external_access(bucket, live, stack),
        check_versioning(bucket, live),
        check_noncurrent_expiry(bucket, live),
        check_abort_multipart(bucket, live),
        sharing.check_replication(bucket, live, stack),
        sharing.check_exports(bucket, live),
        sharing.check_notifications(bucket, live),
        sharing.check_object_lock(bucket, live),
        sharing.check_acceleration(bucket, live, stack),
        sharing.check_website(bucket, live),
        sharing.check_cors(bucket, live),
        sharing.check_access_points(bucket, live),
    ]
    if bucket.telemetry:
        results.append(check_safe_expiry(bucket, live, stack))
        results.append(sharing.check_readable_storage_class(bucket, live, live_rules(live)))
    if bucket.access_log_target:
        results.append(check_access_logging(bucket, live))
    return results
