"""verify on several clusters (one in another account) and on the stack's own replication."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest
from tests.unit.verify.conftest import Stack

from obsctl.model import read_stack
from obsctl.model.topology import ReplicaBucket, ReplicaKey, Replication
from obsctl.verify import access, clusters, iam, sharing
from obsctl.verify.aws import Answer
from obsctl.verify.collect import BucketLive
from obsctl.verify.model import Status

REMOTE_ACCOUNT = "210987654321"
REMOTE_ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/REMOTE0123456789ABCDEF0123456789"
REMOTE_PROVIDER = f"arn:aws:iam::123456789012:oidc-provider/{REMOTE_ISSUER}"


def _two_clusters(stack: Stack, remote_apps: dict[str, str] | None = None) -> None:
    """Add a cluster of another account running every app (its issuer registered in the
    stack's account), and a statement for it in every role's trust, as the iam module writes."""
    (first,) = stack.contract.clusters.values()
    remote_apps = remote_apps or {}
    apps = {
        app: dataclasses.replace(
            entry,
            namespace=remote_apps.get(app, entry.namespace),
            trust_subjects=(
                f"system:serviceaccount:{remote_apps.get(app, entry.namespace)}:"
                f"{entry.service_accounts[0]}",
            ),
        )
        for app, entry in first.apps.items()
    }
    remote = dataclasses.replace(
        first,
        key="workload",
        name="workload",
        account_id=REMOTE_ACCOUNT,
        arn=f"arn:aws:eks:eu-west-1:{REMOTE_ACCOUNT}:cluster/workload",
        issuer_url=f"https://{REMOTE_ISSUER}",
        oidc_provider_arn=REMOTE_PROVIDER,
        apps=apps,
    )
    stack.contract = dataclasses.replace(
        stack.contract, clusters={first.key: first, "workload": remote}
    )
    _register(stack, REMOTE_PROVIDER)
    for app, entry in apps.items():
        document = _trust(stack, app)
        statement = copy.deepcopy(document["Statement"][0])
        statement["Sid"] = "AssumeFromWorkload"
        statement["Principal"] = {"Federated": REMOTE_PROVIDER}
        statement["Condition"] = {
            "StringEquals": {
                f"{REMOTE_ISSUER}:sub": list(entry.trust_subjects),
                f"{REMOTE_ISSUER}:aud": "sts.amazonaws.com",
            }
        }
        document["Statement"].append(statement)
        _set_trust(stack, app, document)


def _register(
    stack: Stack, provider: str, client_ids: tuple[str, ...] = ("sts.amazonaws.com",)
) -> None:
    """Register an OIDC provider in the stack's account, as IAM lists it to verify."""
    listed = stack.aws.recorded("iam", "list_open_id_connect_providers")
    entries = [e for e in listed["OpenIDConnectProviderList"] if e["Arn"] != provider]
    listed["OpenIDConnectProviderList"] = [*entries, {"Arn": provider}]
    stack.aws.respond("iam", "list_open_id_connect_providers", listed)
    stack.aws.respond(
        "iam",
        "get_open_id_connect_provider",
        {"Url": provider.split("oidc-provider/", 1)[1], "ClientIDList": list(client_ids)},
        OpenIDConnectProviderArn=provider,
    )


def _trust(stack: Stack, app: str) -> dict[str, Any]:
    answer = stack.aws.recorded("iam", "get_role", RoleName=stack.role(app))
    return copy.deepcopy(answer["Role"]["AssumeRolePolicyDocument"])


def _set_trust(stack: Stack, app: str, document: dict[str, Any]) -> None:
    answer = stack.aws.recorded("iam", "get_role", RoleName=stack.role(app))
    answer["Role"]["AssumeRolePolicyDocument"] = document
    stack.aws.respond("iam", "get_role", answer, RoleName=stack.role(app))


def _cluster_results(stack: Stack) -> tuple[dict[str, Any], dict[str, dict[str, list[str]]]]:
    expected, live = stack.snapshot()
    rows = {
        name: {label: sorted(actions) for label, actions in row.allowed.items()}
        for name, row in access.matrix(expected, live).items()
    }
    assert live.oidc_providers is not None and live.oidc_providers.ok
    results, subject_rows = clusters.check_clusters(expected, live.roles, rows, live.oidc_providers)
    return {r.subject.name: r for r in results}, {**rows, **subject_rows}


def test_each_cluster_including_the_remote_one_reaches_only_its_apps_role(prod: Stack) -> None:
    _two_clusters(prod)
    results, rows = _cluster_results(prod)
    assert {key: r.status for key, r in results.items()} == {
        "lgtm-prod": Status.PASS,
        "workload": Status.PASS,
    }
    assert "account 210987654321" in results["workload"].subject.display
    for app in ("mimir", "loki", "tempo", "grafana"):
        remote = rows[f"workload: system:serviceaccount:{app}:{app}"]
        assert remote == rows[prod.role(app)]  # its app's stores, nothing more
    assert not any("loki" in label for label in rows["workload: system:serviceaccount:mimir:mimir"])


def test_the_trust_controls_judge_every_clusters_statement(prod: Stack) -> None:
    _two_clusters(prod)
    expected, live = prod.snapshot()
    for role in expected.roles:
        snapshot = live.roles[role.name]
        assert iam.check_trust_principal(expected, role, snapshot).status is Status.PASS
        assert iam.check_trust_subjects(expected, role, snapshot).status is Status.PASS


def test_a_remote_subject_admitted_to_another_apps_role_is_a_finding(prod: Stack) -> None:
    _two_clusters(prod)
    document = _trust(prod, "mimir")
    remote = document["Statement"][-1]["Condition"]["StringEquals"]
    remote[f"{REMOTE_ISSUER}:sub"] = [
        "system:serviceaccount:mimir:mimir",
        "system:serviceaccount:loki:loki",
    ]
    _set_trust(prod, "mimir", document)
    results, rows = _cluster_results(prod)
    assert results["lgtm-prod"].status is Status.PASS
    found = results["workload"]
    assert found.status is Status.FAIL
    assert any(
        "system:serviceaccount:loki:loki (loki) also assumes" in d and prod.role("mimir") in d
        for d in (found.found, *found.details)
    )
    # the matrix shows what it gained: the Mimir role's stores
    assert (
        rows["workload: system:serviceaccount:loki:loki"].keys() >= rows[prod.role("mimir")].keys()
    )
    expected, live = prod.snapshot()
    role = next(r for r in expected.roles if r.app == "mimir")
    assert iam.check_trust_subjects(expected, role, live.roles[role.name]).status is Status.FAIL


def test_a_remote_subject_presented_with_the_first_clusters_issuer_is_refused(
    prod: Stack,
) -> None:
    """The remote cluster's namespace differs; its subject must not pass on the first issuer."""
    _two_clusters(prod, remote_apps={"loki": "logging"})
    results, rows = _cluster_results(prod)
    assert results["workload"].status is Status.PASS
    assert rows["workload: system:serviceaccount:logging:loki"] == rows[prod.role("loki")]
    # swap the remote statement's principal to the first cluster's provider: the remote
    # subject then reaches nothing (its issuer is no longer trusted), a finding
    document = _trust(prod, "loki")
    first = document["Statement"][0]["Principal"]["Federated"]
    document["Statement"][-1]["Principal"]["Federated"] = first
    _set_trust(prod, "loki", document)
    results, _ = _cluster_results(prod)
    assert results["workload"].status is Status.FAIL
    assert "cannot assume" in " ".join((results["workload"].found, *results["workload"].details))


def test_a_remote_provider_gone_from_the_account_or_without_the_sts_audience_is_refused(
    prod: Stack,
) -> None:
    """The trust as written is not enough: STS also needs the issuer registered in the role's
    account, with sts.amazonaws.com among its client IDs."""
    _two_clusters(prod)
    _register(prod, REMOTE_PROVIDER, client_ids=("other-audience",))
    results, _ = _cluster_results(prod)
    assert results["lgtm-prod"].status is Status.PASS
    assert results["workload"].status is Status.FAIL
    assert "cannot assume" in " ".join((results["workload"].found, *results["workload"].details))


def test_a_cluster_without_its_statement_fails_trust_principal(prod: Stack) -> None:
    _two_clusters(prod)
    document = _trust(prod, "tempo")
    document["Statement"] = document["Statement"][:1]
    _set_trust(prod, "tempo", document)
    expected, live = prod.snapshot()
    role = next(r for r in expected.roles if r.app == "tempo")
    result = iam.check_trust_principal(expected, role, live.roles[role.name])
    assert result.status is Status.FAIL
    assert REMOTE_PROVIDER in " ".join((result.found, *result.details))


# --- replication -------------------------------------------------------------------------

REPLICA_REGION = "us-west-2"
ROLE_ARN = "arn:aws:iam::123456789012:role/lgtm-prod-123456789012-replication"


def _replicated(stack: Stack) -> tuple[Any, Any]:
    """The prod stack with its Mimir blocks bucket replicated, and that bucket."""
    source = stack.contract.buckets["mimir"]["blocks"]
    replica = ReplicaBucket(
        name=f"{source.name}-replica",
        arn=f"arn:aws:s3:::{source.name}-replica",
        source=source.name,
        kms_key_arn=f"arn:aws:kms:{REPLICA_REGION}:123456789012:key/replica-mimir",
        lifecycle_rules=(),
    )
    replication = Replication(
        region=REPLICA_REGION,
        role_arn=ROLE_ARN,
        delete_marker_replication=True,
        kms_keys={"mimir": ReplicaKey(arn=replica.kms_key_arn, alias=None)},
        buckets={"mimir": {"blocks": replica}},
    )
    contract = dataclasses.replace(stack.contract, replication=replication)
    expected = read_stack(contract, stack.state)
    bucket = next(b for b in expected.buckets if b.name == source.name)
    return expected, bucket


def _rule(destination: str, key: str, rule_id: str = "replica") -> dict[str, Any]:
    return {
        "ID": rule_id,
        "Status": "Enabled",
        "Priority": 1,
        "Destination": {
            "Bucket": destination,
            "EncryptionConfiguration": {"ReplicaKmsKeyID": key},
        },
    }


def _live(bucket: str, role: str | None, *rules: dict[str, Any]) -> BucketLive:
    if not rules:
        answer = Answer(error="ReplicationConfigurationNotFoundError")
    else:
        answer = Answer(data={"ReplicationConfiguration": {"Role": role, "Rules": list(rules)}})
    return BucketLive(bucket, {"replication": answer})


def test_the_stacks_own_replication_is_accepted(prod: Stack) -> None:
    expected, bucket = _replicated(prod)
    replica = expected.replication.buckets["mimir"]["blocks"]
    live = _live(bucket.name, ROLE_ARN, _rule(replica.arn, replica.kms_key_arn))
    result = sharing.check_replication(bucket, live, expected)
    assert result.status is Status.PASS and replica.name in result.found


@pytest.mark.parametrize(
    ("role", "destination", "key", "why"),
    [
        (ROLE_ARN, "arn:aws:s3:::someone-elses-bucket", None, "someone-elses-bucket"),
        ("arn:aws:iam::123456789012:role/other", None, None, "copies objects"),
        (ROLE_ARN, None, "arn:aws:kms:us-west-2:123456789012:key/other", "copies objects"),
    ],
    ids=["foreign-bucket", "foreign-role", "foreign-key"],
)
def test_any_other_replication_of_a_replicated_bucket_is_a_finding(
    prod: Stack, role: str, destination: str | None, key: str | None, why: str
) -> None:
    expected, bucket = _replicated(prod)
    replica = expected.replication.buckets["mimir"]["blocks"]
    rule = _rule(destination or replica.arn, key or replica.kms_key_arn, "foreign")
    result = sharing.check_replication(bucket, _live(bucket.name, role, rule), expected)
    assert result.status is Status.FAIL
    text = " ".join((result.found, *result.details))
    assert why in text and "missing" in text  # and the stack's own rule is not there


def test_a_foreign_rule_beside_the_stacks_own_is_a_finding(prod: Stack) -> None:
    expected, bucket = _replicated(prod)
    replica = expected.replication.buckets["mimir"]["blocks"]
    live = _live(
        bucket.name,
        ROLE_ARN,
        _rule(replica.arn, replica.kms_key_arn),
        _rule("arn:aws:s3:::exfiltration", replica.kms_key_arn, "extra"),
    )
    result = sharing.check_replication(bucket, live, expected)
    assert result.status is Status.FAIL
    assert "exfiltration" in " ".join((result.found, *result.details))


def test_a_replicated_bucket_that_lost_its_replication_is_a_finding(prod: Stack) -> None:
    expected, bucket = _replicated(prod)
    result = sharing.check_replication(bucket, _live(bucket.name, None), expected)
    assert result.status is Status.FAIL
    assert "missing" in " ".join((result.found, *result.details))


def test_without_replication_any_rule_stays_a_finding(prod: Stack) -> None:
    expected = read_stack(prod.contract, prod.state)
    bucket = next(b for b in expected.buckets if b.app == "mimir")
    result = sharing.check_replication(
        bucket, _live(bucket.name, ROLE_ARN, _rule("arn:aws:s3:::x", "k")), expected
    )
    assert result.status is Status.FAIL
    clean = sharing.check_replication(bucket, _live(bucket.name, None), expected)
    assert clean.status is Status.PASS


def test_no_app_is_required_to_write_its_replica(prod: Stack) -> None:
    expected, _ = _replicated(prod)
    _, live = prod.snapshot()
    role = next(r for r in expected.roles if r.app == "mimir")
    row = access.evaluate(expected, role, live.roles[role.name], live)
    assert iam.check_required(role, row).status is Status.PASS
