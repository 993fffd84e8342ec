"""The values authenticate: for every app, the role ARN annotated, the service account and
namespace the chart will create, and the role's trust subjects in the contract agree."""

from __future__ import annotations

import pytest

from obsctl.errors import ExitCode, UsageError
from obsctl.model.contract import StackContract
from obsctl.values import ValuesOptions, check_identity, expected_bindings, render_checked
from obsctl.values.identity import chart_accounts
from obsctl.values.naming import ROLE_ARN_ANNOTATION

from .values_support import KAFKA, pod_identity, trusting

HELM = ValuesOptions(kafka_address=KAFKA)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_annotation_account_and_trust_subject_agree_for_every_app(
    env: str, dev_contract: StackContract, prod_contract: StackContract
) -> None:
    contract = dev_contract if env == "dev" else prod_contract
    rendered = render_checked(contract, HELM)
    assert set(rendered) == {"mimir", "loki", "tempo", "grafana"}
    for app, item in rendered.items():
        role = contract.roles[app]
        [account] = chart_accounts(item)
        assert account.created
        assert account.annotations == {ROLE_ARN_ANNOTATION: role.arn}
        assert account.subject in role.trust_subjects
        assert (account.namespace, account.name) == (role.namespace, role.service_accounts[0])
    assert check_identity(contract, HELM) == []


def test_expected_bindings_list_what_a_live_check_should_find(dev_contract: StackContract) -> None:
    found = {
        (b.app, b.subject, b.role_arn, b.annotation) for b in expected_bindings(dev_contract, HELM)
    }
    assert found == {
        (app, f"system:serviceaccount:{app}:{app}", role.arn, role.arn)
        for app, role in dev_contract.roles.items()
    }


def test_a_release_whose_account_the_role_does_not_trust_is_refused_in_one_sentence(
    dev_contract: StackContract,
) -> None:
    options = ValuesOptions(kafka_address=KAFKA, releases={"tempo": "traces"})
    with pytest.raises(UsageError) as caught:
        render_checked(dev_contract, options)
    assert caught.value.exit_code == ExitCode.USAGE
    assert caught.value.message == (
        "tempo: the tempo-distributed chart (release traces) would create service account "
        "traces-tempo in namespace tempo, but role lgtm-dev-123456789012-tempo trusts only "
        "system:serviceaccount:tempo:tempo."
    )
    assert [p.app for p in check_identity(dev_contract, options)] == ["tempo"]


def test_a_namespace_the_role_does_not_trust_is_refused(dev_contract: StackContract) -> None:
    problems = check_identity(dev_contract, ValuesOptions(namespaces={"loki": "logging"}))
    assert [str(p) for p in problems] == [
        "loki: the loki chart (release loki) would create service account loki in namespace "
        "logging, but role lgtm-dev-123456789012-loki trusts only "
        "system:serviceaccount:loki:loki."
    ]


def test_release_names_that_match_the_roles_trust_are_accepted(dev_contract: StackContract) -> None:
    contract = trusting(dev_contract, "mimir", "metrics", "obs-mimir")
    options = ValuesOptions(kafka_address=KAFKA, releases={"mimir": "obs"})
    rendered = render_checked(contract, options)
    assert rendered["mimir"].namespace == "metrics"  # the default namespace is the trusted one
    assert rendered["grafana"].tree["datasources"]["datasources.yaml"]["datasources"][0]["url"] == (
        "http://obs-mimir-gateway.metrics.svc:80/prometheus"
    )


def test_extra_values_that_rename_the_account_are_checked_too(dev_contract: StackContract) -> None:
    options = ValuesOptions(
        kafka_address=KAFKA, extra_values={"grafana": ({"serviceAccount": {"name": "ui"}},)}
    )
    assert [str(p) for p in check_identity(dev_contract, options)] == [
        "grafana: the grafana chart (release grafana) would create service account ui in "
        "namespace grafana, but role lgtm-dev-123456789012-grafana trusts only "
        "system:serviceaccount:grafana:grafana."
    ]


def test_extra_values_that_change_the_annotation_are_refused(dev_contract: StackContract) -> None:
    other = "arn:aws:iam::123456789012:role/other"
    options = ValuesOptions(
        kafka_address=KAFKA,
        extra_values={"loki": ({"serviceAccount": {"annotations": {ROLE_ARN_ANNOTATION: other}}},)},
    )
    [problem] = check_identity(dev_contract, options)
    assert problem.message == (
        f"loki: service account loki/loki would be annotated with role {other}, but its IRSA "
        "role is arn:aws:iam::123456789012:role/lgtm-dev-123456789012-loki."
    )


def test_pod_identity_roles_get_no_annotation(dev_contract: StackContract) -> None:
    contract = pod_identity(dev_contract, "tempo")
    tempo = render_checked(contract, HELM)["tempo"]
    [account] = chart_accounts(tempo)
    assert account.annotations == {}
    assert tempo.tree["serviceAccount"] == {"create": True, "annotations": {}}
    [binding] = [b for b in expected_bindings(contract, HELM) if b.app == "tempo"]
    assert (binding.identity, binding.annotation) == ("pod_identity", None)


def test_an_irsa_annotation_on_a_pod_identity_account_is_refused(
    dev_contract: StackContract,
) -> None:
    contract = pod_identity(dev_contract, "tempo")
    arn = contract.roles["tempo"].arn
    options = ValuesOptions(
        kafka_address=KAFKA,
        extra_values={"tempo": ({"serviceAccount": {"annotations": {ROLE_ARN_ANNOTATION: arn}}},)},
    )
    [problem] = check_identity(contract, options)
    assert "uses Pod Identity" in problem.message


def test_mimir_ruler_and_alertmanager_accounts_follow_the_roles_service_accounts(
    dev_contract: StackContract,
) -> None:
    contract = trusting(
        dev_contract, "mimir", "mimir", "mimir", "mimir-ruler", "mimir-alertmanager"
    )
    mimir = render_checked(contract, HELM)["mimir"]
    arn = contract.roles["mimir"].arn
    for component in ("ruler", "alertmanager"):
        assert mimir.tree[component]["serviceAccount"] == {
            "create": True,
            "annotations": {ROLE_ARN_ANNOTATION: arn},
        }
    assert [a.subject for a in chart_accounts(mimir)] == list(
        contract.roles["mimir"].trust_subjects
    )
    only_ruler = trusting(dev_contract, "mimir", "mimir", "mimir", "mimir-ruler")
    tree = render_checked(only_ruler, HELM)["mimir"].tree
    assert "ruler" in tree and "alertmanager" not in tree
    assert "ruler" not in render_checked(dev_contract, HELM)["mimir"].tree


def test_a_storage_app_without_a_role_is_refused(dev_contract: StackContract) -> None:
    roles = {app: role for app, role in dev_contract.roles.items() if app != "loki"}
    contract = StackContract(**{**dev_contract.__dict__, "roles": roles})
    [problem] = check_identity(contract, HELM)
    assert problem.message == (
        "loki: the stack contract has no loki role, so its pods would get no AWS credentials "
        "for their buckets."
    )


def test_check_identity_needs_no_kafka_address(dev_contract: StackContract) -> None:
    assert check_identity(dev_contract, ValuesOptions()) == []
    assert check_identity(dev_contract, ValuesOptions(output_format="config")) == []
