"""S3 as AWS answers it: bucket names, tags, policy sizes, lifecycle rules, and no ACLs on a
bucket whose owner is enforced (which new buckets are by default).

ACL writes are answered in front of moto (`acl_refusal`), from the request's path and headers:
moto applies a CreateBucket's ACL header before its ownership header, so its backend cannot tell
a create from a later PutBucketAcl.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from obsctl.limits import rules
from obsctl.limits.table import table
from obsctl.limits.view import nonws_bytes
from obsctl.model.lifecycle import from_api
from obsctl.sandbox.fidelity.patching import before, check_tags, refuse, tag_pairs

# row id -> the calls of the local AWS that refuse what breaks it
ENFORCES = {
    "s3.bucket.name": ["CreateBucket"],
    "s3.bucket.tags": ["PutBucketTagging"],
    "s3.bucket.policy": ["PutBucketPolicy"],
    "s3.bucket.acl": [
        "PutBucketAcl",
        "PutObjectAcl",
        "PutObject",
        "CopyObject",
        "CreateMultipartUpload",
        "CreateBucket",
    ],
    "s3.lifecycle.rules": ["PutBucketLifecycleConfiguration"],
    "s3.lifecycle.rule_id": ["PutBucketLifecycleConfiguration"],
    "s3.lifecycle.ia_minimum": ["PutBucketLifecycleConfiguration"],
    "s3.lifecycle.ia_to_glacier": ["PutBucketLifecycleConfiguration"],
    "s3.lifecycle.class_order": ["PutBucketLifecycleConfiguration"],
    "s3.lifecycle.days": ["PutBucketLifecycleConfiguration"],
    "s3.lifecycle.date": ["PutBucketLifecycleConfiguration"],
    "tags.key_length": ["PutBucketTagging"],
    "tags.value_length": ["PutBucketTagging"],
    "tags.characters": ["PutBucketTagging"],
    "tags.reserved_prefix": ["PutBucketTagging"],
}

ENFORCED_OWNERSHIP = "BucketOwnerEnforced"
_OWNER_ONLY = {"", "private", "bucket-owner-full-control"}
_PATH = re.compile(r"^/(?P<bucket>[a-z0-9][a-z0-9.-]*[a-z0-9])(?:/(?P<key>.+))?$")


def _create_bucket(backend: Any, arguments: dict[str, Any]) -> None:
    problem = rules.bucket_name(arguments["bucket_name"])
    if problem is not None:
        refuse("s3", "InvalidBucketName", f"The specified bucket is not valid: it {problem}.")


def _default_ownership(cls: type) -> None:
    """New buckets are BucketOwnerEnforced unless the request says otherwise (moto applies the
    request's x-amz-object-ownership header after this)."""
    original = cls.create_bucket

    def create_bucket(self: Any, *args: Any, **kwargs: Any) -> Any:
        bucket = original(self, *args, **kwargs)
        if not bucket.ownership_rule:
            bucket.ownership_rule = ENFORCED_OWNERSHIP
        return bucket

    create_bucket._obsctl_checks = getattr(original, "_obsctl_checks", [])  # type: ignore[attr-defined]
    cls.create_bucket = create_bucket


def _acls_disabled_when_enforced(cls: type) -> None:
    """Enforcing the owner disables ACLs, which AWS refuses while the bucket's ACL grants anyone
    but the owner (InvalidBucketAclWithObjectOwnership: "Prerequisites for disabling ACLs").
    Once enforced, a read of the ACL answers the owner's full control only
    (object-ownership-error-responses.html); moto would keep the old grants."""
    from moto.s3.models import OWNER, get_canned_acl

    original = cls.put_bucket_ownership_controls

    def put_bucket_ownership_controls(self: Any, bucket_name: str, ownership: Any) -> Any:
        if ownership == ENFORCED_OWNERSHIP:
            acl = self.get_bucket(bucket_name).acl
            others = [
                grantee
                for grant in (acl.grants if acl is not None else [])
                for grantee in grant.grantees
                if grantee.uri or grantee.id not in ("", OWNER)
            ]
            if others:
                refuse(
                    "s3",
                    "InvalidBucketAclWithObjectOwnership",
                    "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced "
                    "setting",
                )
        answer = original(self, bucket_name, ownership)
        if ownership == ENFORCED_OWNERSHIP:
            self.get_bucket(bucket_name).acl = get_canned_acl("private")
        return answer

    cls.put_bucket_ownership_controls = put_bucket_ownership_controls


def _put_bucket_tagging(backend: Any, arguments: dict[str, Any]) -> None:
    row = table()["s3.bucket.tags"]
    check_tags(
        "s3",
        tag_pairs(arguments["tags"]),
        count_code=row.aws_error.code,
        count_message=row.aws_error.message,
        tag_code="InvalidTag",
        limit=row.value(),
    )


def _put_bucket_policy(backend: Any, arguments: dict[str, Any]) -> None:
    row = table()["s3.bucket.policy"]
    policy = arguments["policy"]
    text = policy.decode("utf-8", "replace") if isinstance(policy, bytes) else str(policy)
    if nonws_bytes(text) > row.value():
        refuse("s3", row.aws_error.code, row.aws_error.message)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _api_shape(rule: Mapping[str, Any]) -> dict[str, Any]:
    """A rule as moto parsed the XML, in GetBucketLifecycleConfiguration's shape."""
    shaped = dict(rule)
    shaped["Transitions"] = _as_list(rule.get("Transition"))
    shaped["NoncurrentVersionTransitions"] = _as_list(rule.get("NoncurrentVersionTransition"))
    return shaped


def _number(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _put_bucket_lifecycle(backend: Any, arguments: dict[str, Any]) -> None:
    raw_rules = _as_list(arguments["rules"])
    problems = rules.lifecycle([from_api(_api_shape(rule)) for rule in raw_rules])
    for rule in raw_rules:
        expiration = rule.get("Expiration") or {}
        checks = [
            ("expiration", expiration.get("Days")),
            ("noncurrent", (rule.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays")),
            (
                "abort",
                (rule.get("AbortIncompleteMultipartUpload") or {}).get("DaysAfterInitiation"),
            ),
        ]
        checks += [("transition", step.get("Days")) for step in _as_list(rule.get("Transition"))]
        checks += [
            ("transition", step.get("NoncurrentDays"))
            for step in _as_list(rule.get("NoncurrentVersionTransition"))
        ]
        for kind, days in checks:
            phrase = rules.lifecycle_days(kind, _number(days))
            if phrase is not None:
                problems.append(("s3.lifecycle.days", f"rule {rule.get('ID')}: {phrase}"))
        for block in (expiration, *_as_list(rule.get("Transition"))):
            date = block.get("Date")
            phrase = rules.lifecycle_date(str(date)) if date else None
            if phrase is not None:
                problems.append(("s3.lifecycle.date", f"rule {rule.get('ID')}: {phrase}"))
    if problems:
        row_id, phrase = problems[0]
        refuse("s3", table()[row_id].aws_error.code, f"The lifecycle configuration {phrase}.")


def _enforced(bucket_name: str) -> bool | None:
    """Whether the bucket disables ACLs (None: no such bucket, moto answers)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    bucket = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].buckets.get(bucket_name)
    if bucket is None:
        return None
    return bucket.ownership_rule == ENFORCED_OWNERSHIP


def acl_refusal(environ: Mapping[str, Any]) -> tuple[str, str] | None:
    """(code, message) when the request writes an ACL AWS refuses, else None."""
    match = _PATH.match(environ.get("PATH_INFO", ""))
    method = environ.get("REQUEST_METHOD", "")
    if match is None or method not in ("PUT", "POST"):
        return None
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    canned = str(environ.get("HTTP_X_AMZ_ACL", "")).strip()
    grants = any(name.startswith("HTTP_X_AMZ_GRANT_") for name in environ)
    row = table()["s3.bucket.acl"]
    bucket, key = match["bucket"], match["key"]
    if key is None and method == "PUT" and not query:  # CreateBucket
        ownership = environ.get("HTTP_X_AMZ_OBJECT_OWNERSHIP") or ENFORCED_OWNERSHIP
        if ownership == ENFORCED_OWNERSHIP and (grants or canned not in _OWNER_ONLY):
            return (
                "InvalidBucketAclWithObjectOwnership",
                "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
            )
        return None
    if not _enforced(bucket):
        return None
    if "acl" in query:  # PutBucketAcl, PutObjectAcl: any ACL, even private
        return row.aws_error.code, row.aws_error.message
    writes_object = key is not None and ("uploads" in query or method == "PUT")
    if writes_object and (grants or canned not in ("", "bucket-owner-full-control")):
        return row.aws_error.code, row.aws_error.message
    return None


def install() -> None:
    from moto.s3.models import S3Backend

    before(S3Backend, "create_bucket", _create_bucket)
    _default_ownership(S3Backend)
    _acls_disabled_when_enforced(S3Backend)
    before(S3Backend, "put_bucket_tagging", _put_bucket_tagging)
    before(S3Backend, "put_bucket_policy", _put_bucket_policy)
    before(S3Backend, "put_bucket_lifecycle_configuration", _put_bucket_lifecycle)
