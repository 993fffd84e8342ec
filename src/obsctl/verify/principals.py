"""Who a resource policy lets in: principals outside the account, `*`, unpinned services.

Used by every resource policy the stack has (bucket, key, topic, table). A statement opens the
resource to the outside when it allows:

- `*` (or `{"AWS": "*"}`) without a condition that pins the caller to this account
  (aws:PrincipalAccount, kms:CallerAccount, aws:SourceAccount with this account as the only
  value, or aws:PrincipalArn / aws:SourceArn naming only ARNs of this account). A condition
  naming *another* account is no restriction: it is a grant to that account.
- a principal of another account (its id, its root, or one of its roles or users);
- an AWS service principal without such a pin (any account's resources could use it: the
  confused deputy);
- anyone but the listed principals (`NotPrincipal` in an Allow).
"""

from __future__ import annotations

import re
from typing import Any

# Condition keys that name the calling (or, for services, the source) account or principal.
ACCOUNT_KEYS = frozenset(
    {"aws:principalaccount", "kms:calleraccount", "aws:sourceaccount", "aws:resourceaccount"}
)
ARN_KEYS = frozenset({"aws:principalarn", "aws:sourcearn"})
# Operators under which a key's listed values are the only ones admitted.
PINNING_OPERATORS = frozenset({"stringequals", "arnequals", "arnlike", "stringlike"})
_ACCOUNT = re.compile(r"^\d{12}$")
_ARN_ACCOUNT = re.compile(r"^arn:[^:]+:[^:]*:[^:]*:(?P<account>[^:]*):")


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(item) for item in value]


def statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    raw = policy.get("Statement", [])
    return [raw] if isinstance(raw, dict) else [s for s in raw if isinstance(s, dict)]


def label(statement: dict[str, Any], position: int) -> str:
    return f"statement {statement.get('Sid') or f'#{position + 1}'}"


def principals(statement: dict[str, Any]) -> dict[str, list[str]]:
    """Kind ("AWS", "Service", "Federated", "CanonicalUser") -> values; "*" as {"AWS": ["*"]}."""
    principal = statement.get("Principal")
    if principal == "*":
        return {"AWS": ["*"]}
    if not isinstance(principal, dict):
        return {}
    return {kind: as_list(values) for kind, values in principal.items()}


def account_of(principal: str) -> str | None:
    """The account an AWS principal (id, root, role, user, session ARN) belongs to."""
    if _ACCOUNT.match(principal):
        return principal
    match = _ARN_ACCOUNT.match(principal)
    return match["account"] if match else None


def pinned_to(statement: dict[str, Any], account: str) -> tuple[bool, list[str]]:
    """(the conditions pin callers to `account`, the other accounts they name instead)."""
    pinned = False
    others: list[str] = []
    for operator, block in (statement.get("Condition") or {}).items():
        base = operator.lower().removeprefix("forallvalues:").removeprefix("foranyvalue:")
        if base.endswith("ifexists") or base not in PINNING_OPERATORS:
            continue
        for key, values in (block or {}).items():
            names = as_list(values)
            if key.lower() in ACCOUNT_KEYS:
                accounts = names
            elif key.lower() in ARN_KEYS:
                # S3 bucket ARNs carry no account (arn:aws:s3:::name): they neither pin nor
                # name another account; aws:SourceAccount must do that.
                accounts = [
                    found if (found := account_of(value)) is not None else "*"
                    for value in names
                    if account_of(value) != ""
                ]
            else:
                continue
            foreign = [a for a in accounts if a != account]
            if foreign:
                others += foreign
            elif accounts:
                pinned = True
    return pinned and not others, others


def external_grants(
    policy: dict[str, Any], account: str, *, allowed_accounts: frozenset[str] = frozenset()
) -> list[str]:
    """One sentence per Allow statement that lets in a principal outside `account`."""
    found = []
    for position, statement in enumerate(statements(policy)):
        if statement.get("Effect") != "Allow":
            continue
        where = label(statement, position)
        if "NotPrincipal" in statement:
            found.append(f"{where} allows everyone but the principals it lists (NotPrincipal)")
            continue
        pinned, others = pinned_to(statement, account)
        named = principals(statement)
        aws = named.get("AWS", [])
        if "*" in aws and not pinned:
            found.append(
                f"{where} allows Principal * "
                + (
                    f"on the condition that the caller is in {', '.join(sorted(set(others)))}"
                    if others
                    else "without pinning the caller to this account"
                )
            )
        outside = sorted(
            {p for p in aws if p != "*" and account_of(p) not in (account, *allowed_accounts)}
        )
        if outside:
            found.append(f"{where} allows {', '.join(outside)}, outside account {account}")
        services = named.get("Service", [])
        if services and not pinned:
            found.append(
                f"{where} allows the service {', '.join(services)} for any account's resources "
                "(no aws:SourceAccount or aws:SourceArn of this account)"
            )
        for kind in ("Federated", "CanonicalUser"):
            if named.get(kind):
                found.append(f"{where} allows the {kind} principal {', '.join(named[kind])}")
    return found
