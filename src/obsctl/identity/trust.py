"""May this web identity token assume this role? IAM's answer, computed from the trust policy.

STS decides `AssumeRoleWithWebIdentity` in two steps, and so does `assume_with_web_identity`:

1. The token's issuer (`iss` without https://) must be an IAM OIDC provider registered in the
   **role's own account**, and its audience must be one of that provider's client IDs.
2. The role's trust policy must allow the request: a statement whose principal is that
   provider (`Federated`), whose action covers sts:AssumeRoleWithWebIdentity and whose
   conditions hold for the request context, which carries the token's claims as
   `<issuer host/path>:sub`, `:aud` (and `:amr` when present); no statement may deny it.

Conditions are judged by conditions.py, which fails closed: a statement it cannot judge allows
nothing and denies everything it names. moto accepts any token for any role, so this is how
tests (and verify) prove which service account of which cluster reaches which role.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from obsctl.identity.conditions import Context, evaluate_conditions, wildcard

ACTION = "sts:AssumeRoleWithWebIdentity"
STS_AUDIENCE = "sts.amazonaws.com"


@dataclass(frozen=True)
class WebIdentityToken:
    """The claims of a service-account token that STS reads."""

    issuer: str  # iss: https://oidc.eks.<region>.amazonaws.com/id/<id>
    subject: str  # sub: system:serviceaccount:<namespace>:<service account>
    audience: str = STS_AUDIENCE  # aud

    @property
    def host_path(self) -> str:
        return self.issuer.removeprefix("https://").rstrip("/")


@dataclass(frozen=True)
class OidcProvider:
    """An IAM OIDC identity provider as IAM holds it."""

    arn: str
    client_ids: tuple[str, ...] = (STS_AUDIENCE,)

    @property
    def account(self) -> str:
        return self.arn.split(":")[4]

    @property
    def host_path(self) -> str:
        return self.arn.split(":oidc-provider/", 1)[-1]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # one sentence: why, naming the statement or the missing piece
    statement: str | None = None  # the Sid (or position) of the statement that decided


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _label(statement: Mapping[str, Any], position: int) -> str:
    return str(statement.get("Sid") or f"#{position + 1}")


def _principal_matches(statement: Mapping[str, Any], provider_arn: str) -> bool | None:
    if "NotPrincipal" in statement:
        return None  # IAM refuses NotPrincipal with Allow in trust policies; judge nothing
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    if "*" in _list(principal.get("AWS")):
        return True
    return provider_arn in _list(principal.get("Federated"))


def _action_matches(statement: Mapping[str, Any]) -> bool | None:
    """Action names compare without case, with IAM's wildcards."""

    def covers(patterns: list[Any]) -> bool | None:
        if not all(isinstance(p, str) for p in patterns):
            return None
        return any(wildcard(p, re.IGNORECASE).fullmatch(ACTION) for p in patterns)

    if "NotAction" in statement:
        found = covers(_list(statement["NotAction"]))
        return None if found is None else not found
    return covers(_list(statement.get("Action")))


def _statements(policy: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    statements = policy.get("Statement", [])
    return [statements] if isinstance(statements, Mapping) else list(statements)


def request_context(token: WebIdentityToken) -> Context:
    """The condition keys STS sets for a web identity request (names lower-cased)."""
    prefix = token.host_path.lower()
    return {f"{prefix}:sub": (token.subject,), f"{prefix}:aud": (token.audience,)}


def evaluate_trust(
    policy: Mapping[str, Any], provider: OidcProvider, token: WebIdentityToken
) -> Decision:
    """The trust policy's answer for a token of a registered provider (step 2 above)."""
    context = request_context(token)
    allowed_by: str | None = None
    undecided: list[str] = []
    for position, statement in enumerate(_statements(policy)):
        label = _label(statement, position)
        effect = statement.get("Effect")
        applies = _and_all(
            _principal_matches(statement, provider.arn),
            _action_matches(statement),
            evaluate_conditions(statement.get("Condition"), context),
        )
        if effect == "Deny" and applies is not False:
            why = "denies" if applies else "may deny (it cannot be judged here, so it does)"
            return Decision(False, f"statement {label} {why} {token.subject}.", label)
        if effect == "Allow" and applies is True and allowed_by is None:
            allowed_by = label
        elif effect == "Allow" and applies is None:
            undecided.append(label)
    if allowed_by is not None:
        return Decision(True, f"statement {allowed_by} allows {token.subject}.", allowed_by)
    if undecided:
        return Decision(
            False,
            f"no statement allows {token.subject}; statement {', '.join(undecided)} could not "
            "be judged (an unknown operator or a policy variable), so it allows nothing.",
        )
    return Decision(False, f"no statement allows {token.subject} from {token.issuer}.")


def _and_all(*results: bool | None) -> bool | None:
    if any(result is False for result in results):
        return False
    return None if any(result is None for result in results) else True


def assume_with_web_identity(
    role_arn: str,
    policy: Mapping[str, Any] | None,
    providers: Iterable[OidcProvider],
    token: WebIdentityToken,
) -> Decision:
    """STS's whole decision: provider resolution in the role's account, then the trust."""
    parts = role_arn.split(":")
    if len(parts) < 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
        return Decision(False, f"{role_arn} is not a role ARN.")
    partition, account = parts[1], parts[4]
    wanted = f"arn:{partition}:iam::{account}:oidc-provider/{token.host_path}"
    provider = next((p for p in providers if p.arn == wanted), None)
    if provider is None:
        return Decision(
            False,
            f"InvalidIdentityToken: no OpenID Connect provider for {token.issuer} is "
            f"registered in account {account}, where the role is.",
        )
    if token.audience not in provider.client_ids:
        return Decision(
            False,
            f"InvalidIdentityToken: the audience {token.audience} is not a client ID of "
            f"{provider.arn}.",
        )
    if policy is None:
        return Decision(False, f"{role_arn} does not exist.")
    return evaluate_trust(policy, provider, token)


def reachable_roles(
    roles: Mapping[str, Mapping[str, Any]],
    providers: Sequence[OidcProvider],
    token: WebIdentityToken,
) -> list[str]:
    """The role ARNs (of `roles`: ARN -> trust policy) this token may assume."""
    return [
        arn
        for arn, policy in roles.items()
        if assume_with_web_identity(arn, policy, providers, token).allowed
    ]
