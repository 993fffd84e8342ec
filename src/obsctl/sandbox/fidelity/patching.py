"""How the fidelity patches change moto: run a check before a backend call, refuse with the
service's own error (so moto serializes it as the service does), read tags in moto's shapes."""

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
