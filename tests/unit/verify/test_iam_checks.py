"""Role controls: IRSA and Pod Identity trust, wildcards, the access matrix and parliament."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from tests.unit.verify.conftest import Stack
from tests.unit.verify.fakes import load

from obsctl.verify import access, iam, lint, vocabulary
from obsctl.verify.model import Status

PROVIDER_PREFIX = "oidc.eks.us-east-1.amazonaws.com/id/"


def _role_answer(stack: Stack, app: str) -> dict[str, Any]:
    return stack.aws.recorded("iam", "get_role", RoleName=stack.role(app))


def _set_trust(stack: Stack, app: str, document: dict[str, Any]) -> None:
    answer = _role_answer(stack, app)
    answer["Role"]["AssumeRolePolicyDocument"] = document
    stack.aws.respond("iam", "get_role", answer, RoleName=stack.role(app))


def _trust(stack: Stack, app: str) -> dict[str, Any]:
    return copy.deepcopy(_role_answer(stack, app)["Role"]["AssumeRolePolicyDocument"])


def _role_results(stack: Stack, app: str) -> dict[str, Any]:
    expected, live = stack.snapshot()
    role = next(r for r in expected.roles if r.app == app)
    snapshot = live.roles[role.name]
    row = access.evaluate(expected, role, snapshot)
    return {
        "iam.trust-principal": iam.check_trust_principal(expected, role, snapshot),
        "iam.trust-subjects": iam.check_trust_subjects(expected, role, snapshot),
        "iam.no-wildcard-action": iam.check_no_wildcard_action(role, snapshot),
        "iam.scoped-resources": iam.check_scoped_resources(
            role, snapshot, vocabulary.scopable_actions
        ),
        "iam.no-cross-app-access": iam.check_cross_app(role, row),
        "iam.required-access": iam.check_required(role, row),
    }


@pytest.mark.parametrize("app", ["mimir", "loki", "tempo", "grafana"])
def test_every_recorded_prod_role_passes_every_role_control(prod: Stack, app: str) -> None:
    results = _role_results(prod, app)
    assert {cid: r.status for cid, r in results.items()} == dict.fromkeys(results, Status.PASS)


def _sub_key(document: dict[str, Any]) -> str:
    return next(
        k for k in document["Statement"][0]["Condition"]["StringEquals"] if k.endswith(":sub")
    )


def test_a_wildcard_subject_under_string_like_fails_trust_subjects_only(prod: Stack) -> None:
    document = _trust(prod, "loki")
    condition = document["Statement"][0]["Condition"]
    sub = _sub_key(document)
    del condition["StringEquals"][sub]
    condition["StringLike"] = {sub: "system:serviceaccount:*:*"}
    _set_trust(prod, "loki", document)
    results = _role_results(prod, "loki")
    failing = {cid for cid, r in results.items() if r.status is Status.FAIL}
    assert failing == {"iam.trust-subjects"}
    found = results["iam.trust-subjects"]
    assert "accepts the wildcard subject system:serviceaccount:*:*" in found.found
    assert any("StringLike" in d for d in found.details)


def test_a_missing_sub_condition_lets_any_service_account_in(prod: Stack) -> None:
    document = _trust(prod, "mimir")
    del document["Statement"][0]["Condition"]["StringEquals"][_sub_key(document)]
    _set_trust(prod, "mimir", document)
    result = _role_results(prod, "mimir")["iam.trust-subjects"]
    assert result.status is Status.FAIL and "no :sub condition" in result.found


def test_an_extra_subject_or_a_missing_audience_fails(prod: Stack) -> None:
    document = _trust(prod, "tempo")
    equals = document["Statement"][0]["Condition"]["StringEquals"]
    equals[_sub_key(document)] = [
        "system:serviceaccount:tempo:tempo",
        "system:serviceaccount:default:default",
    ]
    del equals[next(k for k in equals if k.endswith(":aud"))]
    _set_trust(prod, "tempo", document)
    result = _role_results(prod, "tempo")["iam.trust-subjects"]
    assert result.status is Status.FAIL
    assert (
        "admits system:serviceaccount:default:default, system:serviceaccount:tempo:tempo"
        in result.found
    )
    assert any("pins :aud to nothing" in d for d in result.details)


def test_trusting_the_issuer_url_or_another_principal_fails_trust_principal(prod: Stack) -> None:
    document = _trust(prod, "grafana")
    statement = document["Statement"][0]
    issuer = statement["Principal"]["Federated"].split("oidc-provider/")[1]
    statement["Principal"] = {"Federated": issuer, "AWS": "arn:aws:iam::999999999999:root"}
    _set_trust(prod, "grafana", document)
    result = _role_results(prod, "grafana")["iam.trust-principal"]
    assert result.status is Status.FAIL
    assert result.found.endswith("also trusts arn:aws:iam::999999999999:root")
    assert any("names the issuer URL" in d for d in result.details)


def test_pod_identity_trust_needs_the_service_and_both_source_conditions(prod: Stack) -> None:
    contract = prod.contract
    role = contract.roles["loki"]
    prod.contract = type(contract)(
        **{
            **contract.__dict__,
            "roles": {
                **contract.roles,
                "loki": type(role)(**{**role.__dict__, "identity": "pod_identity"}),
            },
        }
    )
    cluster_arn = f"arn:aws:eks:us-east-1:123456789012:cluster/{contract.cluster_name}"
    good = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "pods.eks.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": "123456789012"},
                    "ArnEquals": {"aws:SourceArn": cluster_arn},
                },
            }
        ],
    }
    _set_trust(prod, "loki", good)
    results = _role_results(prod, "loki")
    assert results["iam.trust-principal"].status is Status.PASS
    assert results["iam.trust-subjects"].status is Status.PASS
    loose = copy.deepcopy(good)
    del loose["Statement"][0]["Condition"]["ArnEquals"]
    _set_trust(prod, "loki", loose)
    result = _role_results(prod, "loki")["iam.trust-subjects"]
    assert result.status is Status.FAIL and "aws:SourceArn" in result.found


def _inline(stack: Stack, app: str, name: str) -> dict[str, Any]:
    return stack.aws.recorded("iam", "get_role_policy", RoleName=stack.role(app), PolicyName=name)


def _add_statement(
    stack: Stack, app: str, statement: dict[str, Any], name: str = "object-storage"
) -> None:
    answer = _inline(stack, app, name)
    answer["PolicyDocument"]["Statement"].append(statement)
    stack.aws.respond("iam", "get_role_policy", answer, RoleName=stack.role(app), PolicyName=name)


def test_s3_star_on_star_fails_wildcard_scope_and_cross_app_controls(prod: Stack) -> None:
    _add_statement(
        prod, "loki", {"Sid": "All", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    )
    results = _role_results(prod, "loki")
    failing = {cid for cid, r in results.items() if r.status is Status.FAIL}
    assert failing == {"iam.no-wildcard-action", "iam.scoped-resources", "iam.no-cross-app-access"}
    assert (
        results["iam.no-wildcard-action"].found
        == "inline policy object-storage, statement All allows s3:*"
    )
    cross = results["iam.no-cross-app-access"]
    assert "on mimir's lgtm-prod-123456789012-mimir-alertmanager" in cross.found
    assert any("tempo's" in d for d in cross.details)
    assert any("operations's" in d for d in cross.details)


def test_the_mimir_bucket_added_to_the_loki_role_is_cross_app_access(prod: Stack) -> None:
    blocks = prod.contract.buckets["mimir"]["blocks"].arn
    _add_statement(
        prod,
        "loki",
        {"Sid": "Mimir", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"{blocks}/*"},
    )
    results = _role_results(prod, "loki")
    failing = {cid for cid, r in results.items() if r.status is Status.FAIL}
    assert failing == {"iam.no-cross-app-access"}
    assert results["iam.no-cross-app-access"].found == (
        "can s3:GetObject on mimir's lgtm-prod-123456789012-mimir-blocks/* "
        "(through inline policy object-storage, statement Mimir)"
    )


def test_using_another_apps_key_is_cross_app_access(prod: Stack) -> None:
    _add_statement(
        prod, "tempo", {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": prod.key("loki")}
    )
    result = _role_results(prod, "tempo")["iam.no-cross-app-access"]
    assert result.status is Status.FAIL
    assert result.found.startswith("can kms:Decrypt on loki's alias/lgtm-prod-123456789012-loki")


def test_grafana_with_any_s3_access_fails_even_outside_the_stack(prod: Stack) -> None:
    _add_statement(
        prod,
        "grafana",
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::unrelated-bucket/*",
        },
        name="aws-data-sources-read-only",
    )
    result = _role_results(prod, "grafana")["iam.no-cross-app-access"]
    assert result.status is Status.FAIL
    assert result.found.startswith("can s3:GetObject on any resource")


def test_a_deny_on_its_own_objects_takes_away_required_access(prod: Stack) -> None:
    chunks = prod.contract.buckets["loki"]["chunks"].arn
    _add_statement(
        prod, "loki", {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": f"{chunks}/*"}
    )
    results = _role_results(prod, "loki")
    assert results["iam.required-access"].found == (
        "cannot s3:DeleteObject on lgtm-prod-123456789012-loki-chunks/*"
    )


def test_tempo_without_the_tagging_actions_misses_required_access(prod: Stack) -> None:
    answer = _inline(prod, "tempo", "object-storage")
    for statement in answer["PolicyDocument"]["Statement"]:
        if statement.get("Sid") == "ReadWriteObjects":
            statement["Action"] = [a for a in statement["Action"] if "Tagging" not in a]
    prod.aws.respond(
        "iam", "get_role_policy", answer, RoleName=prod.role("tempo"), PolicyName="object-storage"
    )
    result = _role_results(prod, "tempo")["iam.required-access"]
    assert result.found == (
        "cannot s3:GetObjectTagging, s3:PutObjectTagging on lgtm-prod-123456789012-tempo-traces/*"
    )


def test_not_action_in_an_allow_is_a_wildcard_action(prod: Stack) -> None:
    _add_statement(prod, "mimir", {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    results = _role_results(prod, "mimir")
    assert "NotAction" in results["iam.no-wildcard-action"].found
    assert results["iam.scoped-resources"].status is Status.FAIL


def test_grafanas_unscopable_actions_on_star_pass_and_a_scopable_one_fails(prod: Stack) -> None:
    assert _role_results(prod, "grafana")["iam.scoped-resources"].status is Status.PASS
    _add_statement(
        prod,
        "grafana",
        {
            "Effect": "Allow",
            "Action": ["logs:GetLogEvents", "ec2:DescribeRegions"],
            "Resource": "*",
        },
        name="aws-data-sources-read-only",
    )
    result = _role_results(prod, "grafana")["iam.scoped-resources"]
    assert result.status is Status.FAIL
    assert "logs:GetLogEvents" in result.found and "ec2:DescribeRegions" not in result.found


def test_scopable_actions_knows_unscopable_ones_from_parliaments_database() -> None:
    assert vocabulary.scopable_actions("dynamodb:ListTables") == []
    assert vocabulary.scopable_actions("cloudwatch:GetMetricData") == []
    assert vocabulary.scopable_actions("s3:GetObject") == ["s3:GetObject"]
    assert vocabulary.scopable_actions("kms:Decrypt") == ["kms:Decrypt"]
    assert vocabulary.scopable_actions("nosuchservice:Do") is None


# -- pagination and managed policies ----------------------------------------------------------


def test_policies_on_every_page_are_read_and_a_grant_on_page_two_is_found() -> None:
    paged = Stack(load("paged"))
    role = paged.role("loki")
    results = _role_results(paged, "loki")
    # page 2 of list_role_policies holds the table policy: without it the tables are unreachable
    assert results["iam.required-access"].status is Status.PASS
    # page 2 of list_attached_role_policies holds the managed policy reaching Mimir's bucket
    cross = results["iam.no-cross-app-access"]
    assert cross.status is Status.FAIL
    assert "managed policy arn:aws:iam::123456789012:policy/verify-fixture-z-foreign" in cross.found
    assert {"RoleName": role, "Marker": "page-2"} in paged.aws.calls_to("list_role_policies")
    assert {"RoleName": role, "Marker": "page-2"} in paged.aws.calls_to(
        "list_attached_role_policies"
    )


def test_an_alias_on_the_second_page_is_found() -> None:
    paged = Stack(load("paged"))
    report = paged.verify(only=frozenset({"kms.alias"}))
    assert report.ok
    arn = paged.key("mimir")
    assert {"KeyId": arn, "Marker": "page-2"} in paged.aws.calls_to("list_aliases")


# -- parliament ---------------------------------------------------------------------------------


def test_parliament_finds_nothing_in_the_stacks_permission_policies(prod: Stack) -> None:
    report = prod.verify(only=frozenset({"iam.policy-lint"}))
    assert {r.status for r in report.results} == {Status.PASS}
    assert len(report.results) == 5  # mimir, tempo, grafana: one policy; loki: two


def test_parliament_findings_are_informational_unless_severe(prod: Stack) -> None:
    _add_statement(prod, "mimir", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    _add_statement(prod, "loki", {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"})
    duplicate = {
        "Sid": "ReadWriteObjects",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "*",
    }
    _add_statement(prod, "tempo", duplicate)
    report = prod.verify(only=frozenset({"iam.policy-lint"}))
    by_role = {r.subject.name: r for r in report.results}
    star = by_role[f"{prod.role('mimir')}/object-storage"]
    assert star.status is Status.INFO and "RESOURCE_STAR" in star.found
    unknown = by_role[f"{prod.role('loki')}/object-storage"]
    assert unknown.status is Status.INFO and "UNKNOWN_ACTION" in unknown.found
    duplicated = by_role[f"{prod.role('tempo')}/object-storage"]
    assert duplicated.status is Status.FAIL and "HIGH DUPLICATE_SID" in duplicated.found
    assert report.failing() == {("iam.policy-lint", f"{prod.role('tempo')}/object-storage")}


def test_trust_policies_are_not_given_to_parliament(prod: Stack) -> None:
    document = json.dumps(_trust(prod, "loki"))
    findings = {f.issue for f in lint.lint(json.loads(document))}
    assert "MALFORMED" in findings  # why trust policies are judged by iam.trust-* instead
    report = prod.verify(only=frozenset({"iam.policy-lint"}))
    assert all("/" in r.subject.name for r in report.results)
