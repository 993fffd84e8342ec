"""The controls `obsctl verify` evaluates: one named, documented check per id.

Each control says what it proves, how to fix a failure, and which Security Hub controls (FSBP
or others), CIS AWS Foundations Benchmark items and checkov checks cover the same ground. The
catalogue is the single source of the ids that `--only` and `--skip` accept and of the rules a
SARIF file declares; docs/verify.md describes it for people.
"""

from __future__ import annotations

from obsctl.verify.catalogue.buckets import BUCKET_CONTROLS
from obsctl.verify.catalogue.control import FSBP_MEMBERS, Control
from obsctl.verify.catalogue.drift import DRIFT_CONTROLS
from obsctl.verify.catalogue.keys import KEY_CONTROLS
from obsctl.verify.catalogue.operations import OPERATIONS_CONTROLS
from obsctl.verify.catalogue.roles import ROLE_CONTROLS
from obsctl.verify.catalogue.tables import TABLE_CONTROLS

__all__ = ["CONTROLS", "FAMILIES", "FSBP_MEMBERS", "Control", "control", "resolve_selector"]

CONTROLS: tuple[Control, ...] = (
    *BUCKET_CONTROLS,
    *KEY_CONTROLS,
    *TABLE_CONTROLS,
    *ROLE_CONTROLS,
    *OPERATIONS_CONTROLS,
    *DRIFT_CONTROLS,
)
FAMILIES = tuple(dict.fromkeys(c.family for c in CONTROLS))

_BY_ID = {control.id: control for control in CONTROLS}


def control(control_id: str) -> Control:
    return _BY_ID[control_id]


def resolve_selector(selector: str) -> tuple[str, ...]:
    """The control ids a selector names: an id, a family (`s3`) or a mapped Security Hub/CIS id.

    Returns () when nothing matches. Ids and families match case-insensitively; Security Hub
    ids as written in the catalogue (`S3.9`, `KMS.4`, any case) and CIS ids with their prefix
    (`CIS-2.1.1`).
    """
    text = selector.strip()
    lowered = text.lower()
    if lowered in _BY_ID:
        return (lowered,)
    if lowered in FAMILIES:
        return tuple(c.id for c in CONTROLS if c.family == lowered)
    if lowered.startswith("cis-"):
        number = text[4:]
        return tuple(c.id for c in CONTROLS if number in c.cis)
    return tuple(c.id for c in CONTROLS if lowered in {item.lower() for item in c.securityhub})
