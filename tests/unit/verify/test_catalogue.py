"""The control catalogue: unique documented ids, real sources, mappings that match the docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from obsctl.verify.catalogue import CONTROLS, FAMILIES, FSBP_MEMBERS, Control, resolve_selector

REPO = Path(__file__).resolve().parents[3]
DOC = (REPO / "docs" / "verify.md").read_text(encoding="utf-8")


def test_control_ids_are_unique_and_each_belongs_to_a_family() -> None:
    ids = [control.id for control in CONTROLS]
    assert len(ids) == len(set(ids))
    assert {control.family for control in CONTROLS} == set(FAMILIES)
    assert all(re.fullmatch(r"[a-z0-9]+\.[a-z0-9-]+", cid) for cid in ids)


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_every_control_has_a_fix_a_severity_and_an_existing_source(control: Control) -> None:
    assert control.fix and control.title
    assert control.severity in ("high", "medium", "low")
    assert (REPO / control.source).is_file()


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_the_docs_table_lists_every_control_with_its_mappings(control: Control) -> None:
    row = next(line for line in DOC.splitlines() if line.startswith(f"| `{control.id}` |"))
    cells = [cell.strip() for cell in row.split("|")[1:-1]]
    assert cells[1] == control.title
    assert cells[3] == control.severity
    assert cells[4] == (", ".join(control.fsbp) or "—")
    other = [item for item in control.securityhub if item not in FSBP_MEMBERS]
    assert cells[5] == (", ".join(other) or "—")
    assert cells[6] == (", ".join(control.cis) or "—")


def test_the_controls_outside_fsbp_are_not_labelled_fsbp() -> None:
    """S3.17 (not the retired S3.4), KMS.4, S3.10 and S3.14 are Security Hub controls of other
    standards: the catalogue must not present them as FSBP."""
    by_id = {control.id: control for control in CONTROLS}
    assert by_id["s3.encryption"].securityhub == ("S3.17",)
    assert by_id["s3.encryption"].fsbp == ()
    assert by_id["kms.rotation"].fsbp == () and by_id["kms.rotation"].securityhub == ("KMS.4",)
    assert by_id["s3.noncurrent-expiry"].fsbp == () and by_id["s3.versioning"].fsbp == ()
    assert by_id["s3.public-access-block"].fsbp == ("S3.8",)
    assert "Security Hub KMS.4" in by_id["kms.rotation"].mappings


def test_selectors_resolve_ids_families_and_mapped_ids() -> None:
    assert resolve_selector("S3.ENCRYPTION") == ("s3.encryption",)
    assert resolve_selector("S3.9") == ("s3.access-logging",)
    assert resolve_selector("dynamodb.6") == ("dynamodb.deletion-protection",)
    assert resolve_selector("CIS-3.6") == ("kms.rotation",)
    assert set(resolve_selector("IAM.1")) == {"iam.no-wildcard-action"}
    assert len(resolve_selector("drift")) == 5
    assert set(resolve_selector("S3.2")) == {"s3.acl", "s3.external-access"}
    assert resolve_selector("S3.1") == ("account.public-access-block",)
    assert resolve_selector("S3.4") == ()


def test_every_control_but_the_policy_lint_is_named_by_a_live_tamper() -> None:
    """docs/verify.md: each control has a live tamper in the integration tests that fails it,
    except iam.policy-lint, whose failing verdicts are policies IAM refuses to store."""
    tampers = "".join(
        (REPO / "tests" / "integration" / name).read_text(encoding="utf-8")
        for name in ("tampers.py", "test_verify.py", "test_verify_tampers.py")
    )
    untampered = [control.id for control in CONTROLS if f'"{control.id}"' not in tampers]
    assert untampered == ["iam.policy-lint"]
