"""Where moto 5.2 answers unlike AWS on the settings `obsctl verify` reads to find data leaving.

- S3 request-metrics, analytics and Intelligent-Tiering configurations (`?metrics`,
  `?analytics`, `?intelligent-tiering`): moto has no route for them, so a PUT is taken for
  CreateBucket (nothing stored), a GET for ListObjects (an empty answer) and a DELETE for
  DeleteBucket (turning alerts off, or removing a foreign configuration, would delete an empty
  bucket). They are stored and served.
- S3 inventory DELETE: moto stores inventory configurations but deletes the *bucket* on
  `DELETE ?inventory`. The configuration is deleted instead.
- DynamoDB Kinesis streaming destinations: moto answers HTTP 500 (not implemented). They are
  kept per table and answered as AWS does.
- CloudTrail's GetTrail always says `HasCustomEventSelectors: false`, so Terraform's provider
  never reads the selectors back and a narrowed trail never shows as drift. It says true when
  the trail has selectors, as AWS does.
- S3 Control on the account (public access block, access points): the SDKs put the account id
  in the host name (`123456789012.127.0.0.1`), which does not resolve. Clients for the local
  AWS send those requests through the local AWS as an HTTP proxy (`client_config`), which moto
  serves by the request's own URL.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

_BUCKET = re.compile(r"^/(?P<bucket>[a-z0-9][a-z0-9.-]+)/?$")
# sub-resource -> the root element of its list answer
_LISTS = {
    "metrics": b"ListMetricsConfigurationsResult",
    "analytics": b"ListBucketAnalyticsConfigurationResult",
    "intelligent-tiering": b"ListBucketIntelligentTieringConfigurationsOutput",
}
_KINESIS_TARGET = re.compile(r"^DynamoDB_\d+\.(?P<action>\w*KinesisStreamingDestination)$")


def client_config(service: str, endpoint_url: str) -> Any:
    """The botocore Config a client of the local AWS needs (None: the default)."""
    if service != "s3control":
        return None
    from botocore.config import Config

    return Config(proxies={"http": endpoint_url})


class SubresourceStore:
    """S3 bucket sub-resource configurations moto lacks, as the XML documents S3 was given."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[tuple[str, str, str], bytes] = {}

    def handle(
        self, kind: str, method: str, bucket: str, config_id: str | None, body: bytes
    ) -> tuple[int, bytes]:
        if not _bucket_exists(bucket):
            with self._lock:
                for key in [key for key in self._items if key[1] == bucket]:
                    del self._items[key]
            return 404, _s3_error("NoSuchBucket", "The specified bucket does not exist")
        with self._lock:
            if config_id is None:
                root = _LISTS[kind]
                entries = b"".join(
                    re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml)
                    for (what, name, _), xml in sorted(self._items.items())
                    if what == kind and name == bucket
                )
                return 200, (
                    b'<?xml version="1.0" encoding="UTF-8"?><' + root + b' xmlns="http://s3.'
                    b'amazonaws.com/doc/2006-03-01/"><IsTruncated>false</IsTruncated>'
                    + entries
                    + b"</"
                    + root
                    + b">"
                )
            key = (kind, bucket, config_id)
            if method == "PUT":
                self._items[key] = body
                return 200, b""
            if key not in self._items:
                return 404, _s3_error(
                    "NoSuchConfiguration", "The specified configuration does not exist."
                )
            if method == "DELETE":
                del self._items[key]
                return 204, b""
            return 200, self._items[key]


def _bucket_exists(bucket: str) -> bool:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    return bucket in s3_backends[DEFAULT_ACCOUNT_ID]["aws"].buckets


def _delete_inventory(bucket: str, config_id: str) -> tuple[int, bytes]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    found = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].buckets.get(bucket)
    if found is None:
        return 404, _s3_error("NoSuchBucket", "The specified bucket does not exist")
    if found.inventory_configs.pop(config_id, None) is None:
        return 404, _s3_error("NoSuchConfiguration", "The specified configuration does not exist.")
    return 204, b""


def _s3_error(code: str, message: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
        f"<Message>{message}</Message></Error>"
    ).encode()


def s3_subresource(
    store: SubresourceStore, environ: dict[str, Any], start_response: Callable[..., Any]
) -> list[bytes] | None:
    """Answer an analytics, Intelligent-Tiering or inventory-delete request; None: moto's."""
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    match = _BUCKET.match(environ.get("PATH_INFO", ""))
    if match is None:
        return None
    method = environ["REQUEST_METHOD"]
    config_id = query.get("id", [None])[0]
    if "inventory" in query and method == "DELETE" and config_id:
        status, payload = _delete_inventory(match["bucket"], config_id)
    else:
        kind = next((name for name in _LISTS if name in query), None)
        if kind is None:
            return None
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        status, payload = store.handle(kind, method, match["bucket"], config_id, body)
    reason = {200: "OK", 204: "No Content", 404: "Not Found"}[status]
    headers = [("Content-Type", "application/xml"), ("Content-Length", str(len(payload)))]
    start_response(f"{status} {reason}", headers)
    return [payload]


class KinesisDestinations:
    """DynamoDB Kinesis streaming destinations, per table name."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, dict[str, str]] = {}  # table -> stream ARN -> status

    def answer(self, action: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], str]:
        table = str(body.get("TableName", "")).rsplit("/", 1)[-1]
        if not _table_exists(table):
            return (
                400,
                {"message": f"Requested resource not found: Table: {table} not found"},
                ("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"),
            )
        with self._lock:
            streams = self._items.setdefault(table, {})
            if action == "DescribeKinesisStreamingDestination":
                destinations = [
                    {"StreamArn": arn, "DestinationStatus": status}
                    for arn, status in sorted(streams.items())
                ]
                return 200, {"TableName": table, "KinesisDataStreamDestinations": destinations}, ""
            arn = str(body.get("StreamArn", ""))
            status = "ACTIVE" if action.startswith("Enable") else "DISABLED"
            streams[arn] = status
            return 200, {"TableName": table, "StreamArn": arn, "DestinationStatus": status}, ""


def _table_exists(table: str) -> bool:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    backends = dynamodb_backends[DEFAULT_ACCOUNT_ID].values()
    return any(table in backend.tables for backend in backends)


def dynamodb_kinesis(
    store: KinesisDestinations, environ: dict[str, Any], start_response: Callable[..., Any]
) -> Iterable[bytes] | None:
    """Answer a Kinesis streaming destination request; None for every other request."""
    match = _KINESIS_TARGET.match(environ.get("HTTP_X_AMZ_TARGET", ""))
    if match is None:
        return None
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    status, payload, error = store.answer(match["action"], json.loads(raw or b"{}"))
    body = json.dumps(payload if not error else {"__type": error, **payload}).encode()
    headers = [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(body)))]
    start_response(f"{status} {'OK' if status == 200 else 'Bad Request'}", headers)
    return [body]


def _patch_cloudtrail_custom_selectors() -> None:
    from moto.cloudtrail.models import Trail

    plain = Trail.description

    def description(self: Any, include_region: bool = False) -> dict[str, Any]:
        answer = plain(self, include_region=include_region)
        answer["HasCustomEventSelectors"] = bool(
            self.event_selectors or self.advanced_event_selectors
        )
        return answer

    Trail.description = description  # type: ignore[method-assign]


class SharingFidelity:
    """The routes above, answered before moto's own (and the patches they need)."""

    def __init__(self) -> None:
        _patch_cloudtrail_custom_selectors()
        self.subresources = SubresourceStore()
        self.kinesis = KinesisDestinations()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes] | None:
        auth = environ.get("HTTP_AUTHORIZATION", "")
        if "/s3/" in auth:
            return s3_subresource(self.subresources, environ, start_response)
        if "/dynamodb/" in auth:
            return dynamodb_kinesis(self.kinesis, environ, start_response)
        return None
