"""The plan check, row by row: the largest value AWS takes passes, one more is refused with one
sentence naming the resource, the limit and the value. Small plan documents, no Terraform."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.unit.limits.plans import GRANT, TRUST, plan, resource, sized, tags

from obsctl.limits import LimitsError, Quotas, check_plan, table

PLANS = Path(__file__).resolve().parents[2] / "fixtures" / "plan"
Build = Callable[[], dict]


def bucket(name: str = "lgtm-dev-logs", **values: object) -> dict:
    return resource("aws_s3_bucket", bucket=name, tags_all=values.pop("tags_all", {}), **values)


def role(name: str = "lgtm-dev-loki", **values: object) -> dict:
    values.setdefault("assume_role_policy", json.dumps(TRUST))
    values.setdefault("tags_all", {})
    return resource("aws_iam_role", name=name, **values)


def tagged(type_name: str, tag_map: dict[str, str], **values: object) -> Build:
    return lambda: plan(resource(type_name, tags_all=tag_map, **values))


def inline(role_name: str, *sizes: int, name: str = "p") -> list[dict]:
    return [
        resource("aws_iam_role_policy", f"p{i}", name=f"{name}{i}", role=role_name,
                 policy=sized(GRANT, size))
        for i, size in enumerate(sizes)
    ]  # fmt: skip


def rules(*blocks: dict) -> list[dict]:
    return [
        {"id": f"r{i}", "prefix": "", "enabled": True, **block} for i, block in enumerate(blocks)
    ]


def lifecycle(*blocks: dict, versioned: bool = True) -> Build:
    return lambda: plan(bucket(lifecycle_rule=list(blocks), versioning=[{"enabled": versioned}]))


def steps(*pairs: tuple[int, str]) -> list[dict]:
    return [{"days": days, "storage_class": storage_class} for days, storage_class in pairs]


def acl(ownership: str | None) -> Build:
    controls = (
        [resource("aws_s3_bucket_ownership_controls", bucket="lgtm-dev-logs",
                  rule=[{"object_ownership": ownership}])]
        if ownership else []
    )  # fmt: skip
    return lambda: plan(
        bucket(), *controls, resource("aws_s3_bucket_acl", bucket="lgtm-dev-logs", acl="private")
    )


def table_resource(**values: object) -> dict:
    values.setdefault("name", "lgtm-dev-loki-index")
    values.setdefault("attribute", [{"name": "h", "type": "S"}])
    return resource("aws_dynamodb_table", **values)


def indexes(kind: str, count: int) -> dict[str, list[dict]]:
    return {kind: [{"name": f"index-{i}"} for i in range(count)]}


def alarm(**values: object) -> dict:
    values.setdefault("alarm_name", "lgtm-dev-5xx-errors")
    return resource("aws_cloudwatch_metric_alarm", **values)


def trail(**values: object) -> dict:
    values.setdefault("name", "lgtm-dev-s3-data-events")
    return resource("aws_cloudtrail", **values)


def selectors(count: int, values: int = 1) -> list[dict]:
    return [
        {"data_resource": [{"type": "AWS::S3::Object", "values": [f"b{v}" for v in range(values)]}]}
        for _ in range(count)
    ]


def attachments(count: int) -> Build:
    return lambda: plan(
        role(),
        *[
            resource("aws_iam_role_policy_attachment", f"a{i}", role="lgtm-dev-loki",
                     policy_arn=f"arn:aws:iam::aws:policy/P{i}")
            for i in range(count)
        ],
    )  # fmt: skip


def key_policy(size: int) -> dict:
    return resource("aws_kms_key_policy", key_id="k", policy=sized(GRANT, size, indent=None))


@dataclass(frozen=True)
class Boundary:
    id: str
    row: str
    largest: Build
    one_more: Build
    says: str  # a fragment of the refusal's sentence


def case(id: str, row: str, largest: Build, one_more: Build, says: str) -> Boundary:
    return Boundary(id, row, largest, one_more, says)


LONG_KEY, LONGER_KEY = "k" * 128, "k" * 129
CASES = [
    # --- tags ---------------------------------------------------------------------------------
    case("bucket-tags", "s3.bucket.tags",
         lambda: plan(bucket(tags_all=tags(50))), lambda: plan(bucket(tags_all=tags(51))),
         "would carry 51 tags, and S3 allows at most 50 per bucket"),
    case("role-tags", "iam.role.tags",
         lambda: plan(role(tags_all=tags(50))), lambda: plan(role(tags_all=tags(51))),
         "IAM allows at most 50 per role"),
    case("oidc-provider-tags", "iam.oidc_provider.tags",
         tagged("aws_iam_openid_connect_provider", tags(50), url="https://oidc.example.com"),
         tagged("aws_iam_openid_connect_provider", tags(51), url="https://oidc.example.com"),
         "IAM allows at most 50 per OIDC provider"),
    case("key-tags", "kms.key.tags",
         tagged("aws_kms_key", tags(50)), tagged("aws_kms_key", tags(51)),
         "KMS allows at most 50 per key"),
    case("table-tags", "dynamodb.table.tags",
         lambda: plan(table_resource(tags_all=tags(50))),
         lambda: plan(table_resource(tags_all=tags(51))), "DynamoDB allows at most 50 per table"),
    case("topic-tags", "sns.topic.tags",
         tagged("aws_sns_topic", tags(50), name="alerts"),
         tagged("aws_sns_topic", tags(51), name="alerts"), "SNS allows at most 50 per topic"),
    case("alarm-tags", "cloudwatch.alarm.tags",
         lambda: plan(alarm(tags_all=tags(50))), lambda: plan(alarm(tags_all=tags(51))),
         "CloudWatch allows at most 50 per alarm"),
    case("trail-tags", "cloudtrail.trail.tags",
         lambda: plan(trail(tags_all=tags(50))), lambda: plan(trail(tags_all=tags(51))),
         "CloudTrail allows at most 50 per trail"),
    case("tag-key-length", "tags.key_length",
         lambda: plan(bucket(tags_all={LONG_KEY: "v"})),
         lambda: plan(bucket(tags_all={LONGER_KEY: "v"})),
         "has a key of 129 characters, and AWS takes 1 to 128"),
    case("tag-value-length", "tags.value_length",
         lambda: plan(bucket(tags_all={"team": "v" * 256})),
         lambda: plan(bucket(tags_all={"team": "v" * 257})),
         "has a value of 257 characters, and AWS takes at most 256"),
    case("trail-tag-value-empty", "cloudtrail.tag_value.empty",
         lambda: plan(trail(tags_all={"team": "a"})), lambda: plan(trail(tags_all={"team": ""})),
         "has an empty value, and CloudTrail takes 1 to 256 characters"),
    case("tag-characters", "tags.characters",
         lambda: plan(bucket(tags_all={"Équipe _.:/=+-@ 1": "a@b.c"})),
         lambda: plan(bucket(tags_all={"team#1": "x"})), "has the character '#'"),
    case("table-tag-characters", "dynamodb.tag.characters",
         lambda: plan(table_resource(tags_all={"owner": "a.b_c:d/e=f+g-h"})),
         lambda: plan(table_resource(tags_all={"owner": "a@b.c"})),
         "DynamoDB documents only letters, digits, white space and + - = . _ : /"),
    case("tag-key-aws-prefix", "tags.reserved_prefix",
         lambda: plan(bucket(tags_all={"awsx:team": "x"})),
         lambda: plan(bucket(tags_all={"AWS:team": "x"})), "starts with aws:, which AWS reserves"),
    case("role-tag-value-aws-prefix", "tags.reserved_prefix",
         lambda: plan(role(tags_all={"owner": "awsx"})),
         lambda: plan(role(tags_all={"owner": "aws:x"})), "which IAM reserves"),
    case("role-tag-keys-without-case", "iam.tag_keys.case",
         lambda: plan(role(tags_all={"Env": "a", "Team": "b"})),
         lambda: plan(role(tags_all={"Env": "a", "env": "b"})), "differ only in letter case"),
    # --- IAM ----------------------------------------------------------------------------------
    case("trust-policy", "iam.role.trust_policy",
         lambda: plan(role(assume_role_policy=sized(TRUST, 2048))),
         lambda: plan(role(assume_role_policy=sized(TRUST, 2049))),
         "trust policy of 2,049 characters (white space not counted), and IAM allows 2,048"),
    case("inline-policies", "iam.role.inline_policies",
         lambda: plan(role(), *inline("lgtm-dev-loki", 5120, 5120)),
         lambda: plan(role(), *inline("lgtm-dev-loki", 5120, 5121)),
         "inline policies of 10,241 characters together"),
    case("managed-policy", "iam.managed_policy.size",
         lambda: plan(resource("aws_iam_policy", name="p", policy=sized(GRANT, 6144))),
         lambda: plan(resource("aws_iam_policy", name="p", policy=sized(GRANT, 6145))),
         "IAM allows 6,144 per managed policy"),
    case("policy-characters", "iam.policy.characters",
         lambda: plan(resource("aws_iam_policy", name="p", policy='{"Sid": "é"}')),
         lambda: plan(resource("aws_iam_policy", name="p", policy='{"Sid": "€"}')),
         "has the character '€' (U+20AC)"),
    case("managed-policies-per-role", "iam.role.managed_policies",
         attachments(10), attachments(11), "11 managed policies attached"),
    case("role-name", "iam.role.name",
         lambda: plan(role("r" * 64)), lambda: plan(role("r" * 65)),
         "a name of 65 characters, and IAM allows at most 64"),
    case("role-path", "iam.role.path",
         lambda: plan(role(path="/lgtm/team/")), lambda: plan(role(path="lgtm")),
         "has the path 'lgtm'"),
    case("role-session", "iam.role.max_session_duration",
         lambda: plan(role(max_session_duration=43200)),
         lambda: plan(role(max_session_duration=43201)), "43201 s, and IAM takes 3600 to 43200"),
    case("role-description", "iam.role.description",
         lambda: plan(role(description="d" * 1000)), lambda: plan(role(description="d" * 1001)),
         "description of 1001 characters"),
    case("inline-policy-name", "iam.inline_policy.name",
         lambda: plan(role(), *inline("lgtm-dev-loki", 200, name="p" * 127)),
         lambda: plan(role(), *inline("lgtm-dev-loki", 200, name="p" * 128)),
         "has a name IAM refuses"),
    case("oidc-provider-url", "iam.oidc_provider.url",
         lambda: plan(resource("aws_iam_openid_connect_provider", url="https://" + "o" * 247)),
         lambda: plan(resource("aws_iam_openid_connect_provider", url="https://" + "o" * 248)),
         "a URL of 256 characters"),
    # --- S3 -----------------------------------------------------------------------------------
    case("bucket-name", "s3.bucket.name",
         lambda: plan(bucket("b" * 63)), lambda: plan(bucket("b" * 64)),
         "has 64 characters, and S3 takes 3 to 63"),
    case("bucket-name-reserved-suffix", "s3.bucket.name",
         lambda: plan(bucket("lgtm-ol-s3")), lambda: plan(bucket("lgtm--ol-s3")),
         "ends with --ol-s3, a suffix S3 reserves"),
    case("bucket-policy", "s3.bucket.policy",
         lambda: plan(resource("aws_s3_bucket_policy", bucket="b", policy=sized(GRANT, 20480))),
         lambda: plan(resource("aws_s3_bucket_policy", bucket="b", policy=sized(GRANT, 20481))),
         "would be 20,481 bytes, and S3 allows 20,480"),
    case("bucket-acl", "s3.bucket.acl",
         acl("ObjectWriter"), acl(None), "AccessControlListNotSupported"),
    case("bucket-acl-enforced", "s3.bucket.acl",
         acl("BucketOwnerPreferred"), acl("BucketOwnerEnforced"), "BucketOwnerEnforced"),
    case("lifecycle-rules", "s3.lifecycle.rules",
         lifecycle(*rules(*[{"expiration": [{"days": 1}]}] * 1000)),
         lifecycle(*rules(*[{"expiration": [{"days": 1}]}] * 1001)),
         "has 1001 rules, and S3 takes 1000"),
    case("lifecycle-rule-id", "s3.lifecycle.rule_id",
         lifecycle({"id": "r" * 255, "prefix": "", "enabled": True}),
         lifecycle({"id": "r" * 256, "prefix": "", "enabled": True}),
         "a rule ID of 256 characters"),
    case("lifecycle-ia-minimum", "s3.lifecycle.ia_minimum",
         lifecycle(*rules({"transition": steps((30, "STANDARD_IA"))})),
         lifecycle(*rules({"transition": steps((29, "STANDARD_IA"))})),
         "moves objects to STANDARD_IA after 29 days, and S3 needs at least 30"),
    case("lifecycle-ia-to-glacier", "s3.lifecycle.ia_to_glacier",
         lifecycle(*rules({"transition": steps((30, "STANDARD_IA"), (60, "GLACIER"))})),
         lifecycle(*rules({"transition": steps((30, "STANDARD_IA"), (59, "GLACIER"))})),
         "moves objects to GLACIER 29 days after STANDARD_IA"),
    case("lifecycle-class-order", "s3.lifecycle.class_order",
         lifecycle(*rules({"transition": steps((30, "GLACIER_IR"), (90, "DEEP_ARCHIVE"))})),
         lifecycle(*rules({"transition": steps((30, "GLACIER"), (90, "GLACIER_IR"))})),
         "against S3's waterfall"),
    case("lifecycle-one-zone-then-glacier-ir", "s3.lifecycle.class_order",
         lifecycle(*rules({"transition": steps((30, "ONEZONE_IA"), (60, "GLACIER"))})),
         lifecycle(*rules({"transition": steps((30, "ONEZONE_IA"), (90, "GLACIER_IR"))})),
         "from ONEZONE_IA (day 30) to GLACIER_IR"),
    case("lifecycle-days", "s3.lifecycle.days",
         lifecycle(*rules({"expiration": [{"days": 1}]})),
         lifecycle(*rules({"expiration": [{"days": -1}]})),
         "has expiration days of -1, and S3 takes whole days of at least 1"),
    case("lifecycle-date", "s3.lifecycle.date",
         lifecycle(*rules({"expiration": [{"date": "2030-01-01"}]})),
         lifecycle(*rules({"expiration": [{"date": "2030-01-01T12:00:00Z"}]})),
         "S3 takes only midnight UTC"),
    case("lifecycle-noncurrent-without-versioning", "s3.lifecycle.noncurrent_versioning",
         lifecycle(*rules({"noncurrent_version_expiration": [{"days": 1}]})),
         lifecycle(*rules({"noncurrent_version_expiration": [{"days": 1}]}), versioned=False),
         "S3 would take it and never apply it"),
    # --- KMS ----------------------------------------------------------------------------------
    case("key-policy", "kms.key_policy.size",
         lambda: plan(key_policy(32768)), lambda: plan(key_policy(32769)),
         "would be 32,769 bytes, and KMS allows 32,768"),
    case("alias-length", "kms.alias.name",
         lambda: plan(resource("aws_kms_alias", name="alias/" + "a" * 250)),
         lambda: plan(resource("aws_kms_alias", name="alias/" + "a" * 251)),
         "has 257 characters, and KMS takes at most 256"),
    case("alias-reserved", "kms.alias.name",
         lambda: plan(resource("aws_kms_alias", name="alias/awsx/a")),
         lambda: plan(resource("aws_kms_alias", name="alias/aws/a")),
         "starts with alias/aws/, which KMS reserves"),
    case("key-description", "kms.key.description",
         lambda: plan(resource("aws_kms_key", description="d" * 8192)),
         lambda: plan(resource("aws_kms_key", description="d" * 8193)),
         "description of 8,193 characters"),
    case("key-deletion-window", "kms.key.deletion_window",
         lambda: plan(resource("aws_kms_key", deletion_window_in_days=30)),
         lambda: plan(resource("aws_kms_key", deletion_window_in_days=31)),
         "deletion window of 31 days, and KMS takes 7 to 30"),
    case("key-rotation-period", "kms.key.rotation_period",
         lambda: plan(resource("aws_kms_key", rotation_period_in_days=90)),
         lambda: plan(resource("aws_kms_key", rotation_period_in_days=89)),
         "rotation period of 89 days, and KMS takes 90 to 2560"),
    # --- DynamoDB -----------------------------------------------------------------------------
    case("table-name", "dynamodb.table.name",
         lambda: plan(table_resource(name="t" * 255)), lambda: plan(table_resource(name="t" * 256)),
         "has 256 characters, and DynamoDB takes 3 to 255"),
    case("table-gsis", "dynamodb.table.gsi",
         lambda: plan(table_resource(**indexes("global_secondary_index", 20))),
         lambda: plan(table_resource(**indexes("global_secondary_index", 21))),
         "21 global secondary indexes, and DynamoDB allows 20"),
    case("table-lsis", "dynamodb.table.lsi",
         lambda: plan(table_resource(**indexes("local_secondary_index", 5))),
         lambda: plan(table_resource(**indexes("local_secondary_index", 6))),
         "6 local secondary indexes"),
    case("table-attribute-name", "dynamodb.attribute_name",
         lambda: plan(table_resource(attribute=[{"name": "é" * 127 + "x", "type": "S"}])),
         lambda: plan(table_resource(attribute=[{"name": "é" * 128, "type": "S"}])),
         "a key attribute name of 256 bytes"),
    # --- SNS ----------------------------------------------------------------------------------
    case("topic-name", "sns.topic.name",
         lambda: plan(resource("aws_sns_topic", name="t" * 251 + ".fifo")),
         lambda: plan(resource("aws_sns_topic", name="t" * 252 + ".fifo")),
         "has 257 characters, and SNS takes 1 to 256 (.fifo included)"),
    case("topic-policy", "sns.topic.policy",
         lambda: plan(resource("aws_sns_topic_policy", arn="t", policy=sized(GRANT, 30000))),
         lambda: plan(resource("aws_sns_topic_policy", arn="t", policy=sized(GRANT, 30001))),
         "would be 30,001 bytes, and SNS allows 30,000"),
    # --- CloudTrail ---------------------------------------------------------------------------
    case("trail-name", "cloudtrail.trail.name",
         lambda: plan(trail(name="lgtm-dev.s3_events")), lambda: plan(trail(name="lgtm--dev")),
         "two of . _ - next to each other"),
    case("trail-selectors", "cloudtrail.event_selectors",
         lambda: plan(trail(event_selector=selectors(5, 50))),
         lambda: plan(trail(event_selector=selectors(6))), "6 event selectors (at most 5)"),
    case("trail-data-resources", "cloudtrail.event_selectors",
         lambda: plan(trail(event_selector=selectors(1, 250))),
         lambda: plan(trail(event_selector=selectors(1, 251))), "251 data resources"),
    # --- CloudWatch ---------------------------------------------------------------------------
    case("alarm-name", "cloudwatch.alarm.name",
         lambda: plan(alarm(alarm_name="a" * 255)), lambda: plan(alarm(alarm_name="a" * 256)),
         "has 256 characters, and CloudWatch takes 1 to 255"),
    case("alarm-actions", "cloudwatch.alarm.actions",
         lambda: plan(alarm(alarm_actions=["t"] * 5, ok_actions=["t"] * 5)),
         lambda: plan(alarm(ok_actions=["t"] * 6)), "6 ok actions"),
    case("alarm-description", "cloudwatch.alarm.description",
         lambda: plan(alarm(alarm_description="d" * 1024)),
         lambda: plan(alarm(alarm_description="d" * 1025)), "description of 1,025 characters"),
]  # fmt: skip


def _broken(document: dict, row: str) -> list[str]:
    return [v.sentence for v in check_plan(document).violations if v.row.id == row]


@pytest.mark.parametrize("boundary", CASES, ids=lambda boundary: boundary.id)
def test_the_largest_value_aws_takes_passes(boundary: Boundary) -> None:
    assert check_plan(boundary.largest()).violations == []


@pytest.mark.parametrize("boundary", CASES, ids=lambda boundary: boundary.id)
def test_one_more_is_refused_with_one_sentence(boundary: Boundary) -> None:
    sentences = _broken(boundary.one_more(), boundary.row)
    assert len(sentences) == 1, sentences
    assert boundary.says in sentences[0], sentences[0]
    assert sentences[0].endswith("."), sentences[0]


def test_every_row_has_a_boundary_case() -> None:
    assert {row.id for row in table()} == {boundary.row for boundary in CASES}


def test_the_sentence_names_the_resource_and_the_input_to_change() -> None:
    document = plan(bucket(tags_all=tags(51)), variables={"tags": tags(45)})
    [sentence] = _broken(document, "s3.bucket.tags")
    assert sentence.startswith('S3 bucket "lgtm-dev-logs" would carry 51 tags')
    assert (
        "(45 from the input tags, 6 added by the stack or the provider's default_tags)" in sentence
    )
    assert sentence.endswith("give at most 44 in the input tags.")


def test_without_the_input_the_sentence_says_what_to_drop() -> None:
    [sentence] = _broken(plan(bucket(tags_all=tags(52))), "s3.bucket.tags")
    assert sentence.endswith("drop 2 (the provider's default_tags count too).")


def test_buckets_over_the_limit_together_make_one_sentence() -> None:
    buckets = [bucket(f"b-{i}", tags_all=tags(51)) | {"address": f"b{i}"} for i in range(3)]
    [sentence] = _broken(plan(*buckets), "s3.bucket.tags")
    assert sentence.startswith('S3 bucket "b-0" and 2 more buckets would carry 51 tags')


def _dev_plan_with(user_tags: dict[str, str]) -> dict:
    """The recorded dev plan, with the tags an env's input gives to every resource: known on its
    roles and keys, unknown (the key ARN tag) on its buckets, as on a first plan."""
    document = json.loads((PLANS / "dev.json").read_text())
    document["variables"]["tags"] = {"value": user_tags}

    def walk(module: dict) -> None:
        for item in module.get("resources", []):
            values = item.get("values") or {}
            if isinstance(values.get("tags_all"), dict):
                values["tags_all"].update(user_tags)
        for child in module.get("child_modules", []):
            walk(child)

    walk(document["planned_values"]["root_module"])
    return document


def test_a_bucket_whose_tags_are_known_after_apply_counts_the_stacks_tags() -> None:
    """The 51-tag case of issue 13: 45 tags at an env root, and 6 the stack sets."""
    [sentence] = _broken(_dev_plan_with(tags(45)), "s3.bucket.tags")
    assert sentence.startswith('S3 bucket "lgtm-dev-123456789012-loki-chunks" and 5 more buckets')
    assert "would carry 51 tags (45 from the input tags, 6 added by the stack" in sentence
    assert _broken(_dev_plan_with(tags(44)), "s3.bucket.tags") == []


def test_the_recorded_dev_and_prod_plans_break_no_limit() -> None:
    for env in ("dev", "prod"):
        findings = check_plan(json.loads((PLANS / f"{env}.json").read_text()))
        assert findings.violations == [], env


def test_documents_known_only_after_apply_are_deferred_not_refused() -> None:
    findings = check_plan(json.loads((PLANS / "dev.json").read_text()))
    deferred = {item.row.id for item in findings.deferred}
    assert {"s3.bucket.policy", "iam.role.inline_policies"} <= deferred


def test_the_known_inline_policies_alone_can_break_the_role_limit() -> None:
    unknown = resource("aws_iam_role_policy", "later", name="later", role="lgtm-dev-loki")
    document = plan(role(), *inline("lgtm-dev-loki", 6000, 5000), unknown)
    [sentence] = _broken(document, "iam.role.inline_policies")
    assert "(white space not counted, known ones only)" in sentence


def _grafana_policy_of(size: int, **variables: object) -> dict:
    """The recorded prod plan with Grafana's inline policy at `size` characters and the
    inputs `variables` declared (as a root of your own over modules/stack would)."""
    document = json.loads((PLANS / "prod.json").read_text())
    for res in document["planned_values"]["root_module"]["child_modules"][0]["child_modules"]:
        for item in res.get("resources", []):
            if item["type"] == "aws_iam_role_policy" and item["name"] == "grafana":
                item["values"]["policy"] = sized(GRANT, size)
    document["variables"].update({name: {"value": v} for name, v in variables.items()})
    return document


def test_grafanas_policy_past_the_role_limit_names_grafana_access() -> None:
    assert _broken(_grafana_policy_of(10240, grafana_access={}), "iam.role.inline_policies") == []
    [sentence] = _broken(_grafana_policy_of(10241, grafana_access={}), "iam.role.inline_policies")
    assert sentence.startswith('IAM role "lgtm-prod-123456789012-grafana" would have inline')
    assert sentence.endswith(
        "change the input grafana_access (fewer log groups or data sources)."
    ), sentence


def test_grafanas_policy_in_a_root_without_grafana_access_names_the_resource() -> None:
    # prod declares create_loki_tables, which does not reach Grafana's role.
    [sentence] = _broken(_grafana_policy_of(10241), "iam.role.inline_policies")
    assert "create_loki_tables" not in sentence
    assert sentence.endswith(
        'change module.stack.module.roles.aws_iam_role.this["grafana"] in this root '
        "(fewer log groups or data sources)."
    ), sentence


def test_a_raised_quota_counts_on_the_aws_target_only(monkeypatch: pytest.MonkeyPatch) -> None:
    document = plan(role(assume_role_policy=sized(TRUST, 2049)))
    monkeypatch.setenv("OBSCTL_AWS_QUOTAS", "iam.role.trust_policy=4096")
    assert check_plan(document, Quotas.for_target("aws")).violations == []
    assert len(check_plan(document, Quotas.for_target("local")).violations) == 1


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ("s3.bucket.tags=60", "not an adjustable AWS quota"),
        ("iam.role.trust_policy=1000", "at least AWS's default, 2048"),
        ("iam.role.trust_policy=big", "give a whole number"),
    ],
)
def test_a_quota_setting_aws_does_not_have_is_refused(
    setting: str, says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from obsctl.errors import UsageError

    monkeypatch.setenv("OBSCTL_AWS_QUOTAS", setting)
    with pytest.raises(UsageError, match=says):
        Quotas.for_target("aws")


def test_the_refusal_is_one_sentence_or_one_line_each_with_the_pages() -> None:
    one = check_plan(plan(bucket(tags_all=tags(51)))).refusal()
    assert isinstance(one, LimitsError) and "\n" not in one.message
    assert one.hint is not None and one.hint.startswith("Nothing was created.")
    assert "https://docs.aws.amazon.com/AmazonS3/latest/userguide/CostAllocTagging.html" in str(
        one.detail
    )
    two = check_plan(plan(bucket(tags_all=tags(51)), role("r" * 65))).refusal()
    lines = two.message.splitlines()
    assert lines[0] == "AWS would refuse 2 things in this plan:"
    assert all(line.startswith("  - ") for line in lines[1:]) and len(lines) == 3


def test_a_buckets_own_full_control_grant_in_an_update_sets_no_acl() -> None:
    """An update of a bucket plans the grant AWS reports (the owner's FULL_CONTROL)."""
    owner = {"type": "CanonicalUser", "id": "abc", "uri": "", "permissions": ["FULL_CONTROL"]}
    assert _broken(plan(bucket(grant=[owner])), "s3.bucket.acl") == []
    public = {"type": "Group", "id": "", "uri": "http://acs.amazonaws.com/groups/global/AllUsers",
              "permissions": ["READ"]}  # fmt: skip
    assert _broken(plan(bucket(grant=[owner, public])), "s3.bucket.acl") != []
