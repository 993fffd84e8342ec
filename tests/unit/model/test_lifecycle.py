"""One LifecycleRule, whichever of its four shapes it is read from."""

from __future__ import annotations

from obsctl.model.lifecycle import (
    GLACIER_IR,
    STANDARD_IA,
    Lifecycle,
    Transition,
    from_api,
    from_configuration,
    from_contract,
    from_inline,
)

CONTRACT = {
    "id": "expire-tenant-fake",
    "prefix": "fake/",
    "abort_after_days": None,
    "expiration_days": 40,
    "expire_delete_markers": None,
    "noncurrent_expire_days": 7,
    "transitions": [{"days": 30, "storage_class": "STANDARD_IA"}],
}
INLINE = {
    "id": "expire-tenant-fake",
    "prefix": "fake/",
    "enabled": True,
    "abort_incomplete_multipart_upload_days": 0,
    "expiration": [{"date": "", "days": 40, "expired_object_delete_marker": False}],
    "noncurrent_version_expiration": [{"days": 7}],
    "noncurrent_version_transition": [],
    "transition": [{"date": "", "days": 30, "storage_class": "STANDARD_IA"}],
    "tags": {},
}
CONFIGURATION = {
    "id": "expire-tenant-fake",
    "status": "Enabled",
    "filter": [{"prefix": "fake/", "and": [], "tag": []}],
    "expiration": [{"days": 40, "expired_object_delete_marker": False}],
    "noncurrent_version_expiration": [{"noncurrent_days": 7}],
    "transition": [{"days": 30, "storage_class": "STANDARD_IA"}],
    "abort_incomplete_multipart_upload": [],
}
API = {
    "ID": "expire-tenant-fake",
    "Status": "Enabled",
    "Filter": {"Prefix": "fake/"},
    "Expiration": {"Days": 40},
    "NoncurrentVersionExpiration": {"NoncurrentDays": 7},
    "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}],
}


def test_the_same_rule_reads_the_same_from_the_contract_a_plan_a_state_and_s3() -> None:
    rule = from_contract(CONTRACT)
    assert rule == from_inline(INLINE) == from_configuration(CONFIGURATION) == from_api(API)
    assert rule.expires_current_objects and not rule.whole_bucket
    assert rule.describe() == (
        "expire-tenant-fake (prefix 'fake/': expire after 40 d, noncurrent versions after 7 d, "
        "STANDARD_IA after 30 d)"
    )


def test_a_size_filter_narrows_the_rule_and_marks_its_transitions() -> None:
    sized = {**API, "Filter": {"And": {"Prefix": "", "ObjectSizeGreaterThan": 1024}}}
    rule = from_api(sized)
    assert rule.narrowed and rule.min_size == 1024 and not rule.whole_bucket
    assert rule.transitions == (Transition(30, STANDARD_IA, size_filtered=True),)
    assert not rule.applies_to("fake/", 512) and rule.applies_to("fake/", 2048)


def test_policy_merges_the_rules_that_reach_a_stream_in_day_order() -> None:
    lifecycle = Lifecycle(
        rules=(
            from_contract({**CONTRACT, "id": "a", "prefix": "", "expiration_days": None}),
            from_contract(
                {
                    **CONTRACT,
                    "id": "b",
                    "expiration_days": 20,
                    "transitions": [{"days": 10, "storage_class": "GLACIER_IR"}],
                }
            ),
        )
    )
    policy = lifecycle.policy_for("fake/", 1e6)
    assert policy.expiration_days == 20  # the earliest expiration wins
    assert [step.storage_class for step in policy.transitions] == [GLACIER_IR, STANDARD_IA]
    assert lifecycle.policy_for("index/", 1e6).expiration_days is None  # only rule a reaches it


def test_dated_actions_are_kept_for_drift_but_never_priced() -> None:
    rule = from_api(
        {**API, "Transitions": [{"Date": "2030-01-01T00:00:00Z", "StorageClass": "GLACIER"}]}
    )
    assert rule.transitions[0].date == "2030-01-01"
    assert Lifecycle(rules=(rule,)).policy_for("fake/", 1e6).transitions == ()
