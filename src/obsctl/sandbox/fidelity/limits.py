"""The local AWS refuses what AWS refuses for the rows of the limits table, with AWS's codes.

moto 5.2 accepts almost every input in the table (a bucket with 51 tags, a public ACL on a
bucket whose owner is enforced, a 5,000-character trust policy...), so an integration test on the
local AWS would pass what AWS refuses. `install()` wraps moto's backend methods (and answers S3
ACL writes in front of moto) with the same rules the plan check uses (obsctl.limits.rules), so
the local AWS refuses them with the error codes of the table. `enforced()` says which calls
enforce which row; tests/unit/test_sandbox_limits.py tries each at its limit and one past it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn

from moto.core.exceptions import JsonRESTError, ServiceException

from obsctl.limits import rules

Check = Callable[[Any, dict[str, Any]], None]


def refuse(service: str, code: str, message: str) -> NoReturn:
    """Answer the request with AWS's error code, as the service's own moto errors do (moto
    finds a query-protocol error's HTTP status in the service's model by its module)."""
    if service in ("kms", "cloudtrail"):
        raise JsonRESTError(code, message)
    if service == "dynamodb":
        from moto.dynamodb.exceptions import DynamodbException

        raise DynamodbException(f"com.amazonaws.dynamodb.v20120810#{code}", message)
    raise _SERVICE_ERRORS[service]()(code, message)


def _s3() -> type[ServiceException]:
    from moto.s3.exceptions import S3ClientError

    return S3ClientError


def _iam() -> type[ServiceException]:
    from moto.iam.exceptions import IAMException

    return IAMException


def _sns() -> type[ServiceException]:
    from moto.sns.exceptions import SNSException

    return SNSException


def _cloudwatch() -> type[ServiceException]:
    from moto.cloudwatch.exceptions import CloudWatchException

    return CloudWatchException


_SERVICE_ERRORS: dict[str, Callable[[], type[ServiceException]]] = {
    "s3": _s3,
    "iam": _iam,
    "sns": _sns,
    "cloudwatch": _cloudwatch,
}


def before(cls: type, name: str, check: Check) -> None:
    """Run `check(backend, arguments)` before `cls.name`; it refuses by raising."""
    original = getattr(cls, name)
    if getattr(original, "_obsctl_checks", None) is not None:
        original._obsctl_checks.append(check)
        return
    signature = inspect.signature(original)
    checks = [check]

    @functools.wraps(original)
    def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = signature.bind(self, *args, **kwargs).arguments
        for run in checks:
            run(self, arguments)
        return original(self, *args, **kwargs)

    checked._obsctl_checks = checks  # type: ignore[attr-defined]
    setattr(cls, name, checked)


def tag_pairs(tags: Any) -> list[tuple[str, str]]:
    """Tags in any of moto's shapes: a dict, or a list of Key/Value or TagKey/TagValue."""
    if tags is None:
        return []
    if isinstance(tags, Mapping):
        return [(str(key), str(value or "")) for key, value in tags.items()]
    pairs = []
    for item in tags:
        key = item.get("Key", item.get("TagKey", item.get("key", "")))
        value = item.get("Value", item.get("TagValue", item.get("value", "")))
        pairs.append((str(key), "" if value is None else str(value)))
    return pairs


def check_tags(
    service: str,
    tags: Iterable[tuple[str, str]],
    *,
    existing: Iterable[str] = (),
    count_code: str,
    count_message: str,
    tag_code: str,
    limit: int = 50,
    fold_case: bool = False,
) -> None:
    """Refuse a tag AWS refuses, or a tag set (with `existing` keys) beyond `limit` (IAM
    compares the keys of a role without case: `fold_case`)."""
    pairs = list(tags)
    for key, value in pairs:
        problems = rules.tag(service, key, value)
        if problems:
            refuse(service, tag_code, f"The tag {key!r} {problems[0][1]}.")
    fold = str.lower if fold_case else str
    keys = {fold(key) for key in existing} | {fold(key) for key, _ in pairs}
    if len(keys) > limit:
        refuse(service, count_code, count_message)


def enforced() -> dict[str, list[str]]:
    """Row id -> the calls of the local AWS that refuse what breaks it."""
    from obsctl.sandbox.fidelity import limits_iam, limits_s3, limits_services

    found: dict[str, list[str]] = {}
    for module in (limits_s3, limits_iam, limits_services):
        for row_id, calls in module.ENFORCES.items():
            found.setdefault(row_id, []).extend(calls)
    return found


_installed: list[bool] = []


def install() -> None:
    """Patch moto, once per process."""
    from obsctl.sandbox.fidelity import limits_iam, limits_s3, limits_services

    if _installed:
        return
    _installed.append(True)
    limits_s3.install()
    limits_iam.install()
    limits_services.install()


def in_front(app: Any) -> Any:
    """A WSGI app that answers the requests refused from their headers (S3 ACL writes) and
    passes every other request to `app`."""
    from obsctl.sandbox.fidelity.limits_s3 import acl_refusal

    def dispatch(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if "/s3/" in environ.get("HTTP_AUTHORIZATION", ""):
            refused = acl_refusal(environ)
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
