"""S3 rows: bucket names, bucket policy sizes, ACLs under BucketOwnerEnforced and the lifecycle
rules (read through the model: `Stack.buckets`, whichever of Terraform's shapes wrote them)."""

from __future__ import annotations

from obsctl.limits import rules
from obsctl.limits.registry import checks
from obsctl.limits.table import table
from obsctl.limits.view import PlanView, nonws_bytes, text_value
from obsctl.model.tfjson import Resource, first_block

# The suffix Terraform appends to a bucket_prefix to make a unique name.
_GENERATED_SUFFIX = 26
_OWNER_FULL_CONTROL = "bucket-owner-full-control"


@checks("s3.bucket.name")
def bucket_names(view: PlanView) -> None:
    row = table()["s3.bucket.name"]
    for res in view.of_type("aws_s3_bucket"):
        name = text_value(res.values.get("bucket"))
        prefix = text_value(res.values.get("bucket_prefix"))
        if name is None and prefix is not None:
            name = prefix + "x" * _GENERATED_SUFFIX
        problem = rules.bucket_name(name) if name is not None else None
        if problem is not None:
            view.violation(
                row,
                res,
                f"{view.label(res)} {problem}: "
                f"{view.remedy(row, res, 'the bucket names start with it')}.",
            )


@checks("s3.bucket.policy")
def bucket_policies(view: PlanView) -> None:
    row = table()["s3.bucket.policy"]
    for res, text in view.documents("aws_s3_bucket_policy", "aws_s3_bucket"):
        if text is None:
            view.deferred(row, res, "its policy names ARNs known only after apply")
        elif nonws_bytes(text) > row.value():
            view.violation(
                row,
                res,
                f"{view.label(res)} would be {nonws_bytes(text):,} bytes, and S3 allows "
                f"{row.value():,} (20 KB) per bucket: "
                f"{view.remedy(row, res, 'fewer statements or principals')}.",
            )


def _enforced(view: PlanView, bucket: Resource | None) -> bool:
    """Whether ACLs are disabled on the bucket: BucketOwnerEnforced, set or by default."""
    if bucket is None:
        return True
    for controls in view.of_type("aws_s3_bucket_ownership_controls"):
        if view.linked(controls, "bucket", "aws_s3_bucket") is bucket:
            ownership = first_block(controls.values.get("rule")).get("object_ownership")
            return ownership not in ("ObjectWriter", "BucketOwnerPreferred")
    return True


def _granted_to_others(grants: object) -> bool:
    """Whether a bucket's `grant` gives anything but the owner's full control: an update of a
    bucket plans the grant AWS reports (the owner's FULL_CONTROL), which sets no ACL."""
    for grant in grants if isinstance(grants, list) else []:
        permissions = set(grant.get("permissions") or []) if isinstance(grant, dict) else set()
        if not isinstance(grant, dict) or grant.get("uri") or permissions != {"FULL_CONTROL"}:
            return True
        if grant.get("type") != "CanonicalUser":
            return True
    return False


@checks("s3.bucket.acl")
def acls(view: PlanView) -> None:
    row = table()["s3.bucket.acl"]
    writes: list[tuple[Resource, Resource | None, str]] = []
    for res in view.of_type("aws_s3_bucket_acl"):
        acl = text_value(res.values.get("acl")) or "an access control policy"
        writes.append((res, view.linked(res, "bucket", "aws_s3_bucket"), f"sets the ACL {acl}"))
    for res in view.of_type("aws_s3_bucket"):
        acl = text_value(res.values.get("acl"))
        if acl or _granted_to_others(res.values.get("grant")):
            writes.append((res, res, f"sets the ACL {acl or 'of its grants'}"))
    for res in view.of_type("aws_s3_object"):
        acl = text_value(res.values.get("acl"))
        if acl and acl != _OWNER_FULL_CONTROL:
            bucket = view.linked(res, "bucket", "aws_s3_bucket")
            writes.append((res, bucket, f"is written with the ACL {acl}"))
    for res, bucket, what in writes:
        if _enforced(view, bucket):
            owner = view.label(bucket) if bucket is not None else "its bucket"
            view.violation(
                row,
                res,
                f"{view.label(res)} {what} on {owner}, whose object ownership is "
                f"BucketOwnerEnforced (the default), and S3 answers "
                f"AccessControlListNotSupported: "
                f"{view.remedy(row, res, 'drop the ACL and grant access in the bucket policy')}.",
            )


@checks(
    "s3.lifecycle.rules",
    "s3.lifecycle.rule_id",
    "s3.lifecycle.ia_minimum",
    "s3.lifecycle.ia_to_glacier",
    "s3.lifecycle.class_order",
    "s3.lifecycle.days",
    "s3.lifecycle.date",
    "s3.lifecycle.noncurrent_versioning",
)
def lifecycles(view: PlanView) -> None:
    by_address = {res.address: res for res in view.of_type("aws_s3_bucket")}
    for bucket in view.stack.buckets:
        res = by_address.get(bucket.address)
        if res is None or bucket.lifecycle is None:
            continue
        label = view.label(res)
        problems = rules.lifecycle(bucket.lifecycle.rules)
        for rule in bucket.lifecycle.rules:
            for kind, days in (
                ("expiration", rule.expiration_days),
                ("noncurrent", rule.noncurrent_expiration_days),
                ("abort", rule.abort_multipart_days),
            ):
                phrase = rules.lifecycle_days(kind, days)
                if phrase is not None:
                    problems.append(("s3.lifecycle.days", f"rule {rule.id}: {phrase}"))
            for step in (*rule.transitions, *rule.noncurrent_transitions):
                phrase = rules.lifecycle_days("transition", step.days)
                if phrase is not None and step.date is None:
                    problems.append(("s3.lifecycle.days", f"rule {rule.id}: {phrase}"))
            if (rule.noncurrent_expiration_days or rule.noncurrent_transitions) and not (
                bucket.versioning
            ):
                problems.append(
                    (
                        "s3.lifecycle.noncurrent_versioning",
                        f"rule {rule.id}: acts on noncurrent versions while versioning is off, "
                        "so S3 would take it and never apply it",
                    )
                )
        problems += _dates(res)
        for row_id, phrase in dict.fromkeys(problems):
            row = table()[row_id]
            view.violation(
                row,
                res,
                f"The lifecycle of {label} {phrase}: "
                f"{view.remedy(row, res, 'see docs/limits.md for the rule')}.",
            )


def _dates(res: Resource) -> list[tuple[str, str]]:
    """Dated actions as the plan writes them (the model keeps the day only)."""
    found = []
    for rule in res.values.get("lifecycle_rule") or ():
        for block in (*(rule.get("expiration") or ()), *(rule.get("transition") or ())):
            date = text_value(block.get("date"))
            phrase = rules.lifecycle_date(date) if date else None
            if phrase is not None:
                found.append(("s3.lifecycle.date", f"rule {rule.get('id')}: {phrase}"))
    return found
