"""AssumeRoleWithWebIdentity on the local AWS decides by the role's trust, as STS does.

moto 5.2 hands credentials to any token for any role, existing or not, without reading the
trust policy. Here the request is judged first by obsctl.identity.trust: the token's issuer
must be an OIDC provider registered in the role's account, its audience one of the provider's
client IDs, and the role's trust policy must allow its `sub` and `aud`. A refusal is answered
with STS's own error codes (InvalidIdentityToken, AccessDenied); an allowed request goes on to
moto, which issues credentials in the role's account.

The token's claims are read without checking its signature: the local AWS has no issuer keys
to check it with. A test mints a token by encoding the claims it wants to present.
"""

from __future__ import annotations

import base64
import io
import json
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from obsctl.identity.trust import (
    Decision,
    OidcProvider,
    WebIdentityToken,
    assume_with_web_identity,
)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
ACTION = "AssumeRoleWithWebIdentity"


def unsigned_token(issuer: str, subject: str, audience: str = "sts.amazonaws.com") -> str:
    """A JWT carrying these claims, as a test presents it to the local AWS (no signature)."""

    def part(document: dict[str, Any]) -> str:
        raw = json.dumps(document, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    claims = {"iss": issuer, "sub": subject, "aud": [audience]}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


def token_claims(token: str) -> WebIdentityToken | None:
    """iss, sub and aud of a JWT, or None when it is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except (ValueError, json.JSONDecodeError):
        return None
    audience = claims.get("aud")
    if isinstance(audience, list):
        audience = audience[0] if audience else None
    fields = (claims.get("iss"), claims.get("sub"), audience)
    if not all(isinstance(field, str) and field for field in fields):
        return None
    issuer, subject, aud = fields
    return WebIdentityToken(issuer=issuer, subject=subject, audience=aud)


def decide(role_arn: str, token: WebIdentityToken) -> Decision:
    """The decision on the trust and providers moto holds for the role's account."""
    from moto.iam.models import iam_backends

    parts = role_arn.split(":")
    if len(parts) < 6:
        return Decision(False, f"{role_arn} is not a role ARN.")
    backend = iam_backends[parts[4]][parts[1]]
    try:
        policy = json.loads(backend.get_role_by_arn(role_arn).assume_role_policy_document)
    except Exception:  # moto's IAMNotFoundException: the role does not exist
        policy = None
    providers = [
        OidcProvider(arn=arn, client_ids=tuple(provider.client_id_list))
        for arn, provider in backend.open_id_providers.items()
    ]
    return assume_with_web_identity(role_arn, policy, providers, token)


def _error(start_response: Callable[..., Any], status: str, code: str, message: str) -> list[bytes]:
    from xml.sax.saxutils import escape

    body = (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
        f"<Type>Sender</Type><Code>{code}</Code><Message>{escape(message)}</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    ).encode()
    start_response(status, [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
    return [body]


def with_web_identity_trust(app: WsgiApp) -> WsgiApp:
    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("HTTP_AUTHORIZATION"):
            return app(environ, start_response)  # the call is unsigned: STS authenticates it
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        form = parse_qs(body.decode("utf-8", "replace"))
        if form.get("Action", [""])[0] != ACTION:
            return app(environ, start_response)
        role_arn = form.get("RoleArn", [""])[0]
        token = token_claims(form.get("WebIdentityToken", [""])[0])
        if token is None:
            return _error(
                start_response,
                "400 Bad Request",
                "InvalidIdentityToken",
                "The web identity token is not a JWT with iss, sub and aud claims.",
            )
        decision = decide(role_arn, token)
        if decision.allowed:
            return app(environ, start_response)
        if decision.reason.startswith("InvalidIdentityToken: "):
            message = decision.reason.removeprefix("InvalidIdentityToken: ")
            return _error(start_response, "400 Bad Request", "InvalidIdentityToken", message)
        return _error(
            start_response,
            "403 Forbidden",
            "AccessDenied",
            f"Not authorized to perform sts:AssumeRoleWithWebIdentity on {role_arn}: "
            f"{decision.reason}",
        )

    return serve
