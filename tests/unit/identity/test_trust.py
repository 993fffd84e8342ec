"""The trust evaluator answers as STS does for the shapes IAM documents, and fails closed."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from obsctl.identity.conditions import evaluate_conditions, evaluate_operator
from obsctl.identity.trust import (
    OidcProvider,
    WebIdentityToken,
    assume_with_web_identity,
    evaluate_trust,
    reachable_roles,
)

ACCOUNT = "123456789012"
BLUE = "oidc.eks.us-east-1.amazonaws.com/id/BLUE"
EAST = "oidc.eks.eu-west-1.amazonaws.com/id/EAST"
PROVIDERS = [
    OidcProvider(f"arn:aws:iam::{ACCOUNT}:oidc-provider/{BLUE}"),
    OidcProvider(f"arn:aws:iam::{ACCOUNT}:oidc-provider/{EAST}"),
]


def irsa(host_path: str, subjects: list[str], sid: str = "Irsa") -> dict[str, Any]:
    """One statement as the iam module writes it."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{host_path}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {f"{host_path}:sub": subjects, f"{host_path}:aud": "sts.amazonaws.com"}
        },
    }


ROLES = {
    f"arn:aws:iam::{ACCOUNT}:role/obs-loki": {
        "Version": "2012-10-17",
        "Statement": [
            irsa(BLUE, ["system:serviceaccount:loki:loki"], "Blue"),
            irsa(EAST, ["system:serviceaccount:logging:loki"], "East"),
        ],
    },
    f"arn:aws:iam::{ACCOUNT}:role/obs-mimir": {
        "Version": "2012-10-17",
        "Statement": [irsa(BLUE, ["system:serviceaccount:mimir:mimir"])],
    },
}
LOKI, MIMIR = list(ROLES)


def token(host_path: str, subject: str, audience: str = "sts.amazonaws.com") -> WebIdentityToken:
    return WebIdentityToken(f"https://{host_path}", subject, audience)


def test_each_clusters_subject_reaches_exactly_its_apps_role() -> None:
    assert reachable_roles(ROLES, PROVIDERS, token(BLUE, "system:serviceaccount:loki:loki")) == [
        LOKI
    ]
    assert reachable_roles(ROLES, PROVIDERS, token(EAST, "system:serviceaccount:logging:loki")) == [
        LOKI
    ]
    assert reachable_roles(ROLES, PROVIDERS, token(BLUE, "system:serviceaccount:mimir:mimir")) == [
        MIMIR
    ]


def test_a_subject_from_another_clusters_issuer_is_denied() -> None:
    # The east cluster's mimir account is trusted nowhere; the blue subject from east neither.
    assert reachable_roles(ROLES, PROVIDERS, token(EAST, "system:serviceaccount:mimir:mimir")) == []
    decision = assume_with_web_identity(
        LOKI, ROLES[LOKI], PROVIDERS, token(EAST, "system:serviceaccount:loki:loki")
    )
    assert not decision.allowed and "no statement allows" in decision.reason


def test_a_provider_missing_from_the_roles_account_is_refused_before_the_trust() -> None:
    remote_only = [OidcProvider(f"arn:aws:iam::222222222222:oidc-provider/{EAST}")]
    decision = assume_with_web_identity(
        LOKI, ROLES[LOKI], remote_only, token(EAST, "system:serviceaccount:logging:loki")
    )
    assert not decision.allowed
    assert "no OpenID Connect provider" in decision.reason and ACCOUNT in decision.reason


def test_an_audience_outside_the_providers_client_ids_is_refused() -> None:
    decision = assume_with_web_identity(
        LOKI, ROLES[LOKI], PROVIDERS, token(BLUE, "system:serviceaccount:loki:loki", "other")
    )
    assert not decision.allowed and "audience other" in decision.reason


def test_the_audience_condition_itself_is_checked() -> None:
    lenient = [OidcProvider(PROVIDERS[0].arn, ("sts.amazonaws.com", "vault"))]
    decision = assume_with_web_identity(
        LOKI, ROLES[LOKI], lenient, token(BLUE, "system:serviceaccount:loki:loki", "vault")
    )
    assert not decision.allowed


def test_a_missing_role_is_denied() -> None:
    decision = assume_with_web_identity(
        f"arn:aws:iam::{ACCOUNT}:role/gone",
        None,
        PROVIDERS,
        token(BLUE, "system:serviceaccount:x:y"),
    )
    assert not decision.allowed and "does not exist" in decision.reason


@given(st.from_regex(r"system:serviceaccount:[a-z]{1,5}:[a-z*?]{1,5}", fullmatch=True))
def test_string_equals_admits_exactly_the_listed_subjects(subject: str) -> None:
    listed = ["system:serviceaccount:loki:loki"]
    decision = evaluate_trust(
        {"Statement": [irsa(BLUE, listed)]}, PROVIDERS[0], token(BLUE, subject)
    )
    assert decision.allowed == (subject in listed)


def test_string_like_wildcards_match_what_iam_matches() -> None:
    statement = irsa(BLUE, [])
    statement["Condition"] = {"StringLike": {f"{BLUE}:sub": "system:serviceaccount:loki:*"}}
    allowed = evaluate_trust(
        {"Statement": [statement]}, PROVIDERS[0], token(BLUE, "system:serviceaccount:loki:x")
    )
    denied = evaluate_trust(
        {"Statement": [statement]}, PROVIDERS[0], token(BLUE, "system:serviceaccount:mimir:x")
    )
    assert allowed.allowed and not denied.allowed


def test_a_deny_wins_over_an_allow() -> None:
    deny = irsa(BLUE, ["system:serviceaccount:loki:loki"], "NoLoki") | {"Effect": "Deny"}
    policy = {"Statement": [irsa(BLUE, ["system:serviceaccount:loki:loki"]), deny]}
    decision = evaluate_trust(policy, PROVIDERS[0], token(BLUE, "system:serviceaccount:loki:loki"))
    assert not decision.allowed and decision.statement == "NoLoki"


def test_an_unknown_operator_fails_closed_on_allow_and_on_deny() -> None:
    allow = irsa(BLUE, [])
    allow["Condition"] = {
        "StringMatchesSomehow": {f"{BLUE}:sub": "system:serviceaccount:loki:loki"}
    }
    decision = evaluate_trust(
        {"Statement": [allow]}, PROVIDERS[0], token(BLUE, "system:serviceaccount:loki:loki")
    )
    assert not decision.allowed and "could not be judged" in decision.reason
    deny = dict(allow, Effect="Deny")
    policy = {"Statement": [irsa(BLUE, ["system:serviceaccount:loki:loki"]), deny]}
    assert not evaluate_trust(
        policy, PROVIDERS[0], token(BLUE, "system:serviceaccount:loki:loki")
    ).allowed


def test_a_policy_variable_is_not_guessed() -> None:
    assert evaluate_operator("StringEquals", {"k": "${aws:username}"}, {"k": ("x",)}) is None


def test_principals_and_actions() -> None:
    policy = {"Statement": [irsa(BLUE, ["system:serviceaccount:loki:loki"])]}
    subject = token(BLUE, "system:serviceaccount:loki:loki")
    other_provider = OidcProvider(f"arn:aws:iam::{ACCOUNT}:oidc-provider/other")
    assert not evaluate_trust(policy, other_provider, subject).allowed  # another Federated
    policy["Statement"][0]["Action"] = "sts:AssumeRole"
    assert not evaluate_trust(policy, PROVIDERS[0], subject).allowed
    policy["Statement"][0]["Action"] = "STS:AssumeRoleWith*"
    assert evaluate_trust(policy, PROVIDERS[0], subject).allowed
    del policy["Statement"][0]["Action"]
    policy["Statement"][0]["NotAction"] = "sts:AssumeRole"
    assert evaluate_trust(policy, PROVIDERS[0], subject).allowed
    policy["Statement"][0]["Principal"] = {"Service": "pods.eks.amazonaws.com"}
    assert not evaluate_trust(policy, PROVIDERS[0], subject).allowed


def test_missing_keys_negation_if_exists_and_null() -> None:
    context = {"present": ("v",)}
    assert evaluate_operator("StringEquals", {"absent": "v"}, context) is False
    assert evaluate_operator("StringNotEquals", {"absent": "v"}, context) is True
    assert evaluate_operator("StringEqualsIfExists", {"absent": "v"}, context) is True
    assert evaluate_operator("StringNotEquals", {"present": ["a", "v"]}, context) is False
    assert evaluate_operator("StringNotEquals", {"present": ["a", "b"]}, context) is True
    assert evaluate_operator("Null", {"absent": "true", "present": "false"}, context) is True
    assert evaluate_operator("ForAllValues:StringEquals", {"absent": "v"}, context) is True
    assert evaluate_operator("ForAnyValue:StringEquals", {"absent": "v"}, context) is False
    assert evaluate_operator("StringEquals", {"PRESENT": "v"}, context) is True  # keys: no case
    assert evaluate_operator("StringEquals", {"present": "V"}, context) is False  # values: case
    assert evaluate_operator("StringEqualsIgnoreCase", {"present": "V"}, context) is True


def test_several_operators_and_keys_must_all_hold() -> None:
    context = {"a": ("1",), "b": ("2",)}
    assert evaluate_conditions({"StringEquals": {"a": "1", "b": "2"}}, context) is True
    assert evaluate_conditions({"StringEquals": {"a": "1", "b": "3"}}, context) is False
    assert (
        evaluate_conditions({"StringEquals": {"a": "1"}, "StringLike": {"b": "9*"}}, context)
        is False
    )


def test_arns_match_part_by_part() -> None:
    arn = "arn:aws:eks:us-east-1:123456789012:cluster/lgtm"
    context = {"aws:sourcearn": (arn,)}
    assert evaluate_operator("ArnEquals", {"aws:SourceArn": arn}, context) is True
    assert evaluate_operator(
        "ArnLike", {"aws:SourceArn": "arn:aws:eks:*:123456789012:cluster/*"}, context
    )
    assert (
        evaluate_operator("ArnLike", {"aws:SourceArn": "arn:aws:eks:*:222222222222:*"}, context)
        is False
    )
    assert evaluate_operator("ArnNotEquals", {"aws:SourceArn": [arn]}, context) is False
