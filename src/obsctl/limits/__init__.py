"""AWS's limits and validations, checked before anything is created.

table.yaml   the table: each limit, how AWS counts it, the AWS page that says so, what AWS
             answers, and what checks it (Terraform validation, this plan check, the local AWS)
table.py     the table as typed rows, and the quotas an account raised (OBSCTL_AWS_QUOTAS)
rules.py     the rules as plain functions, shared with the local AWS (sandbox/fidelity)
check.py     `check_plan(plan)`: the plan JSON against the table, through the model
tags.py, iam.py, s3.py, services.py   the checks, by service
"""

from __future__ import annotations

from obsctl.limits.check import check_plan, refuse_if_broken
from obsctl.limits.findings import Deferred, Findings, LimitsError, Violation
from obsctl.limits.table import Limit, Quotas, table

__all__ = [
    "Deferred",
    "Findings",
    "Limit",
    "LimitsError",
    "Quotas",
    "Violation",
    "check_plan",
    "refuse_if_broken",
    "table",
]
