"""The local AWS refuses what AWS refuses for the rows of the limits table, with AWS's codes.

moto 5.2 accepts almost every input in the table (a bucket with 51 tags, a public ACL on a
bucket whose owner is enforced, a 5,000-character trust policy...), so an integration test on the
local AWS would pass what AWS refuses. `install()` wraps moto's backend methods (and answers S3
ACL writes in front of moto) with the same rules the plan check uses (obsctl.limits.rules), so
the local AWS refuses them with the error codes of the table. `enforced()` says which calls
enforce which row; tests/unit/test_sandbox_limits.py tries each at its limit and one past it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from obsctl.sandbox.fidelity import limits_iam, limits_s3, limits_services


def enforced() -> dict[str, list[str]]:
    """Row id -> the calls of the local AWS that refuse what breaks it."""
    found: dict[str, list[str]] = {}
    for module in (limits_s3, limits_iam, limits_services):
        for row_id, calls in module.ENFORCES.items():
            found.setdefault(row_id, []).extend(calls)
    return found


_installed: list[bool] = []


def install() -> None:
    """Patch moto, once per process."""
    if _installed:
        return
    _installed.append(True)
    limits_s3.install()
    limits_iam.install()
    limits_services.install()


def in_front(app: Any) -> Any:
    """A WSGI app that answers the requests refused from their headers (S3 ACL writes) and
    passes every other request to `app`."""

    def dispatch(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if "/s3/" in environ.get("HTTP_AUTHORIZATION", ""):
            refused = limits_s3.acl_refusal(environ)
            if refused is not None:
                code, message = refused
                body = (
                    f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
                    f"<Message>{message}</Message></Error>"
                ).encode()
                start_response(
                    "400 Bad Request",
                    [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))],
                )
                return [body]
        return app(environ, start_response)

    return dispatch
