"""Every control of `obsctl verify` fails on a live tamper, and `obsctl up` repairs or refuses it.

The module applies dev and prod (legacy tables on) to a local AWS of its own. Tampers run in
rounds: each round changes many distinct resources straight through the AWS API (tampers.py),
asserts that verify fails exactly the pairs they name (and nothing else), then runs what
`obsctl up` runs around its plan (reset what would make AWS refuse the apply, apply, then remove
foreign configuration, then verify) and
asserts that everything passes again, or, for what `up` refuses (Object Lock, an access point,
the account's public access block), that only those still fail. One apply serves a round.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from obsctl.sandbox import Sandbox
from obsctl.verify import VerifyOptions, verify_session
from obsctl.verify.model import Report
from obsctl.verify.repair import REFUSED, repair_before_apply, verify_and_repair
from obsctl.workspace.session import Session, open_session
from tests.integration import tampers as t

pytestmark = pytest.mark.xdist_group("verify_tamper_stacks")

PROD_VARIABLES = ["create_loki_tables=true", "create_mimir_tables=true"]


@dataclass
class Stacks:
    sessions: dict[str, Session]
    folder: Path

    def aws(self, env: str) -> t.Aws:
        sandbox = self.sessions[env].sandbox
        assert sandbox is not None
        return sandbox.client

    def up(self, env: str) -> tuple[Report, list[str]]:
        """What `obsctl up` does around its plan: reset what AWS would refuse the apply for (an
        ACL granting others), apply, remove foreign configuration, verify."""
        session = self.sessions[env]
        first = repair_before_apply(session, "local", lambda found: True)
        session.apply(session.plan())
        report, removed = verify_and_repair(session, VerifyOptions(target="local"), lambda _: True)
        return report, [*first, *removed]


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stacks]:
    previous = os.environ.get("OBSCTL_STATE_DIR")
    folder = tmp_path_factory.mktemp("verify-tamper-stacks")
    os.environ["OBSCTL_STATE_DIR"] = str(folder)
    started = time.monotonic()
    try:
        sessions = {}
        for env, variables in (("dev", []), ("prod", PROD_VARIABLES)):
            session = open_session(env, "local", variables=variables)
            session.init()
            session.apply(session.plan())
            sessions[env] = session
        yield Stacks(sessions, folder)
    finally:
        Sandbox(folder / "sandbox").stop()
        if previous is None:
            os.environ.pop("OBSCTL_STATE_DIR", None)
        else:
            os.environ["OBSCTL_STATE_DIR"] = previous
        print(f"\nverify tamper module: {time.monotonic() - started:.0f} s")


def _explain(report: Report) -> list[tuple[str, str, str]]:
    return sorted((r.control_id, r.subject.name, r.found) for r in report.failures)


ROUNDS: dict[str, tuple[str, tuple[t.Tamper, ...]]] = {
    "dev-data-leaves-buckets": (
        "dev",
        (
            t.replication_to_another_account,
            t.inventory_to_another_account,
            t.analytics_export_to_another_account,
            t.notifications_to_another_account,
            t.transfer_acceleration_on,
            t.website_hosting_on,
        ),
    ),
    "dev-buckets-exposed-or-unreadable": (
        "dev",
        (
            t.cors_for_every_origin,
            t.acl_public_read,
            t.bucket_policy_for_another_account,
            t.bucket_policy_gives_grafana_lokis_chunks,
            t.tls_deny_neutered_by_a_condition,
            t.lifecycle_moves_loki_chunks_to_glacier,
            t.intelligent_tiering_archive,
        ),
    ),
    "dev-keys-and-lifecycle": (
        "dev",
        (
            t.lifecycle_expires_lokis_index,
            t.noncurrent_expiry_removed,
            t.key_grant_to_another_account,
            t.key_policy_star_for_another_account,
            t.alias_points_at_another_key,
        ),
    ),
    "dev-roles-reach-further": (
        "dev",
        (
            t.policy_variable_reaches_every_bucket,
            t.replication_rights_on_another_apps_bucket,
            t.role_may_rewrite_its_own_policy,
            t.trust_admits_the_default_service_account,
        ),
    ),
    "dev-roles-trust-and-need": (
        "dev",
        (t.trust_admits_another_account, t.tempo_loses_put_object, t.session_limit_raised),
    ),
    "prod-tables-trail-topic-alarms": (
        "prod",
        (
            t.table_policy_for_another_account,
            t.table_stream_on,
            t.table_kinesis_destination,
            t.table_ttl_on,
            t.loki_may_update_its_tables,
            t.trail_stopped,
            t.trail_selectors_narrowed,
            t.trail_validation_and_encryption_off,
            t.topic_open_to_everyone,
            t.topic_encryption_removed,
            t.topic_subscribed_by_another_account,
            t.alarm_actions_disabled,
        ),
    ),
    "prod-evidence-sent-elsewhere": (
        "prod",
        (
            t.trail_sent_elsewhere_in_one_region,
            t.audit_bucket_logging_off,
            t.table_billing_mode_switched,
            t.table_on_the_aws_owned_key,
            t.table_on_another_apps_key,
        ),
    ),
}


@pytest.mark.parametrize("name", list(ROUNDS))
def test_each_tamper_fails_its_own_control_and_up_repairs_it(stacks: Stacks, name: str) -> None:
    env, round_tampers = ROUNDS[name]
    contract = stacks.sessions[env].contract()
    expected: t.Pairs = set()
    for tamper in round_tampers:
        expected |= tamper(stacks.aws(env), contract)
    report = verify_session(stacks.sessions[env])
    assert report.failing() == expected, _explain(report)
    assert report.exit_code == 1
    repaired, removed = stacks.up(env)
    assert repaired.ok, (_explain(repaired), removed)


def test_up_refuses_object_lock_an_access_point_and_an_open_account(stacks: Stacks) -> None:
    """Last on dev: Object Lock cannot be undone. `up` removes nothing of these three and its
    verification keeps failing on exactly them, each with the command that fixes it."""
    aws, contract = stacks.aws("dev"), stacks.sessions["dev"].contract()
    expected = (
        t.object_lock_compliance_ten_years(aws, contract)
        | t.access_point_on_a_bucket(aws, contract)
        | t.account_public_access_block_off(aws, contract)
    )
    assert verify_session(stacks.sessions["dev"]).failing() == expected
    report, removed = stacks.up("dev")
    assert removed == []
    assert report.failing() == expected
    assert {r.control_id for r in report.failures} == set(REFUSED)
    assert all("`" in r.remedy for r in report.failures)  # each names its command
    aws("s3control").delete_access_point(AccountId=contract.account_id, Name="exfil-ap")
