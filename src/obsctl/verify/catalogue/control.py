"""One control: what it proves, on which resources, how to fix it, what it maps to.

Security Hub ids are the consolidated control ids (`S3.8`, `KMS.4`); `fsbp` keeps those that are
in the AWS Foundational Security Best Practices standard (v1.0.0), the rest are Security Hub
controls of other standards (NIST, PCI, CIS). CIS numbers are those Security Hub maps to the
CIS AWS Foundations Benchmark v5.0.0 (v3.0.0 agrees for every control listed here).
"""

from __future__ import annotations

from dataclasses import dataclass

# Security Hub controls of this catalogue that are part of the FSBP standard (v1.0.0), as the
# standard's page lists them; S3.7, S3.10, S3.14, S3.15, S3.17, KMS.4, SNS.1, CloudWatch.15/17
# and CloudTrail.7 are Security Hub controls of other standards only.
FSBP_MEMBERS = frozenset(
    {
        *(f"S3.{n}" for n in (1, 2, 3, 5, 6, 8, 9, 12, 13, 19, 24, 25)),
        *(f"KMS.{n}" for n in (1, 2, 3, 5)),
        *(f"DynamoDB.{n}" for n in (1, 2, 3, 6, 7)),
        *(f"CloudTrail.{n}" for n in (1, 2, 4, 5)),
        *(f"IAM.{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 21)),
        "SNS.4",
    }
)

APPLY = "Re-apply the stack (`obsctl up`) so Terraform restores it."
REMOVE = (
    "`obsctl up` removes it (Terraform manages none); on real AWS it asks first, or run "
    "`obsctl up --target aws --yes`."
)


@dataclass(frozen=True)
class Control:
    """One check: what it proves, on which resources, how to fix it, what it maps to."""

    id: str
    title: str
    resource_type: str
    severity: str  # "high", "medium" or "low"
    fix: str
    securityhub: tuple[str, ...] = ()
    cis: tuple[str, ...] = ()
    checkov: tuple[str, ...] = ()
    source: str = ""  # the Terraform file that configures what the control checks

    @property
    def family(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def fsbp(self) -> tuple[str, ...]:
        """The Security Hub ids that belong to the FSBP standard."""
        return tuple(item for item in self.securityhub if item in FSBP_MEMBERS)

    @property
    def mappings(self) -> str:
        """ "FSBP S3.8, CIS 2.1.4" or "" when nothing maps (non-FSBP ids as "Security Hub")."""
        parts = [
            f"FSBP {item}" if item in FSBP_MEMBERS else f"Security Hub {item}"
            for item in self.securityhub
        ] + [f"CIS {item}" for item in self.cis]
        return ", ".join(parts)
