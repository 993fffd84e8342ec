"""`verify_stack`: read the live stack, evaluate every selected control, return the report."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from obsctl.errors import UsageError
from obsctl.model import StackContract, read_stack
from obsctl.model.stack import Bucket, Key, Role, Stack, Table
from obsctl.verify import (
    access,
    clusters,
    drift,
    dynamodb,
    iam,
    kms,
    lint,
    operations,
    s3,
    vocabulary,
)
from obsctl.verify.aws import ClientFactory
from obsctl.verify.catalogue import resolve_selector
from obsctl.verify.collect import BucketLive, KeyLive, LiveStack, RoleLive, TableLive, collect
from obsctl.verify.model import Report, Result, Status, Subject, errored, subject

STATE_CONTROLS = ("drift.tags", "drift.lifecycle", "drift.policies", "drift.settings")


@dataclass(frozen=True)
class VerifyOptions:
    """Which controls run, which are skipped (with why), and how the stack is read."""

    only: frozenset[str] = frozenset()  # control ids; empty means all
    skip: Mapping[str, str] = field(default_factory=dict)  # control id -> reason
    workers: int = 16
    target: str = "local"

    def selected(self, control_id: str) -> bool:
        return not self.only or control_id in self.only


def parse_selection(only: list[str], skip: list[str]) -> tuple[frozenset[str], dict[str, str]]:
    """--only selectors and --skip SELECTOR=REASON items as control ids; UsageError if bad."""
    chosen: set[str] = set()
    explicit: set[str] = set()  # named by their own id, not through a family or FSBP id
    for item in only:
        for selector in filter(None, (part.strip() for part in item.split(","))):
            ids = resolve_selector(selector)
            if not ids:
                raise UsageError(
                    f"--only {selector!r} names no control; see `obsctl verify --list-controls`."
                )
            chosen.update(ids)
            if ids == (selector.lower(),):
                explicit.add(ids[0])
    skipped: dict[str, str] = {}
    for item in skip:
        selector, equals, reason = item.partition("=")
        if not equals or not reason.strip():
            raise UsageError(
                f"--skip {selector.strip()!r} needs a reason: --skip {selector.strip()}='why it "
                "does not apply'."
            )
        ids = resolve_selector(selector)
        if not ids:
            raise UsageError(
                f"--skip {selector.strip()!r} names no control; "
                "see `obsctl verify --list-controls`."
            )
        for control_id in ids:
            skipped[control_id] = reason.strip()
    both = sorted(explicit & set(skipped))
    if both:
        raise UsageError(f"--only and --skip both name {', '.join(both)}; choose one.")
    if chosen and chosen <= set(skipped):
        raise UsageError("--skip skips every control --only selects, so nothing would be checked.")
    return frozenset(chosen), skipped


def verify_stack(
    contract: StackContract,
    state: dict[str, Any] | None,
    clients: ClientFactory,
    options: VerifyOptions | None = None,
) -> Report:
    """Verify the deployed stack named by `contract` against its baseline and its state.

    `state` is `terraform show -json` or the raw state (`terraform state pull`), or None (drift
    is then limited to missing resources). `clients(service)` returns boto3-compatible clients.
    """
    options = options or VerifyOptions()
    started = time.monotonic()
    needs_parliament = options.selected("iam.policy-lint") and "iam.policy-lint" not in options.skip
    warm = threading.Thread(target=lint.parliament, daemon=True) if needs_parliament else None
    if warm is not None:
        warm.start()  # parliament's ~1 s import overlaps the API reads
    vocabulary_load = threading.Thread(target=vocabulary.actions, args=("bucket",), daemon=True)
    vocabulary_load.start()  # the action vocabulary (about 0.2 s) too
    expected = read_stack(contract, state)
    live = collect(expected, clients, options.workers)
    if warm is not None:
        warm.join()
    vocabulary_load.join()
    results, matrix = evaluate(expected, live, options)
    notes = []
    if not expected.has_state:
        notes.append(
            "The Terraform state was not available: only missing resources were checked for "
            f"drift ({', '.join(STATE_CONTROLS)} were not evaluated)."
        )
    return Report(
        environment=contract.environment,
        target=options.target,
        name_prefix=contract.name_prefix,
        results=results,
        seconds=time.monotonic() - started,
        notes=notes,
        access_matrix=matrix,
    )


def evaluate(
    expected: Stack, live: LiveStack, options: VerifyOptions
) -> tuple[list[Result], dict[str, dict[str, list[str]]]]:
    """Every control on every resource (pure: snapshots in, results out)."""
    matrix = access.matrix(expected, live)
    results: list[Result] = []
    for bucket in expected.buckets:
        results += _bucket_results(expected, bucket, live.buckets[bucket.name])
    for key in expected.keys:
        results += _key_results(expected, key, live.keys[key.arn])
    for role in expected.roles:
        results += _role_results(expected, role, live.roles[role.name], matrix, options)
    for table in expected.tables:
        results += _table_results(expected, table, live.tables[table.name])
    results += operations.check_operations(expected, live.operations)
    rows = {
        name: {label: sorted(actions) for label, actions in row.allowed.items()}
        for name, row in matrix.items()
    }
    cluster_results, subject_rows = clusters.check_clusters(
        expected, live.roles, rows, live.oidc_providers
    )
    results += cluster_results
    rows.update(subject_rows)
    selected = [r for r in results if options.selected(r.control_id)]
    final = [
        Result(
            r.control_id, Status.SKIP, r.subject, "skipped", skip_reason=options.skip[r.control_id]
        )
        if r.control_id in options.skip
        else r
        for r in selected
    ]
    return final, rows


def _bucket_results(stack: Stack, bucket: Bucket, live: BucketLive) -> list[Result]:
    # A resource that is gone fails drift.missing once; nothing else can be judged on it.
    if live.missing:
        return [drift.check_missing(subject(bucket), True)]
    return [
        drift.check_missing(subject(bucket), False),
        *s3.check_bucket(bucket, live, stack),
        *drift.check_bucket(bucket, live),
    ]


def _key_results(stack: Stack, key: Key, live: KeyLive) -> list[Result]:
    if live.missing:
        return [drift.check_missing(subject(key), True)]
    return [
        drift.check_missing(subject(key), False),
        *kms.check_key(key, live, stack),
        *drift.check_key(key, live),
    ]


def _table_results(stack: Stack, table: Table, live: TableLive) -> list[Result]:
    if live.missing:
        return [drift.check_missing(subject(table), True)]
    return [
        drift.check_missing(subject(table), False),
        *dynamodb.check_table(table, live, stack),
        *drift.check_table(table, live),
    ]


def _role_results(
    stack: Stack,
    role: Role,
    live: RoleLive,
    matrix: dict[str, access.RoleAccess],
    options: VerifyOptions,
) -> list[Result]:
    if live.missing:
        return [drift.check_missing(subject(role), True)]
    results = [
        drift.check_missing(subject(role), False),
        iam.check_trust_principal(stack, role, live),
        iam.check_trust_subjects(stack, role, live),
        iam.check_no_wildcard_action(role, live),
    ]
    results.append(iam.check_scoped_resources(role, live, vocabulary.scopable_actions))
    if role.name in matrix:
        results += [
            iam.check_cross_app(role, matrix[role.name]),
            iam.check_required(role, matrix[role.name]),
            iam.check_self_modification(role, matrix[role.name]),
        ]
    else:
        unread = live.inline if not live.inline.ok else live.attached
        why = f"could not read its policies ({unread.describe_error()})"
        results += [
            errored(cid, subject(role), why)
            for cid in ("iam.no-cross-app-access", "iam.required-access", "iam.self-modification")
        ]
    if _runs("iam.policy-lint", options):
        results += lint.check_role(role, live)
    else:
        results += [
            _placeholder(
                "iam.policy-lint", Subject(role.app, f"{role.name}/{p.name}", "IAM policy")
            )
            for p in live.permission_policies()
        ]
    return results + drift.check_role(role, live)


def _runs(control_id: str, options: VerifyOptions) -> bool:
    return options.selected(control_id) and control_id not in options.skip


def _placeholder(control_id: str, subject: Subject) -> Result:
    """A result for a control that was not run; selection drops or skips it."""
    return Result(control_id, Status.SKIP, subject, "not run")
