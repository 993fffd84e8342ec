"""S3 cross-region replication on the local AWS: configurations read back as written, and
objects copied into the replica as S3 would copy them.

- moto 5.2 stores a bucket's replication configuration but answers GetBucketReplication with a
  rebuilt one that drops SourceSelectionCriteria, turns DeleteMarkerReplication to Disabled and
  empties the filter, so Terraform plans a change on every run. The configuration is kept as
  the XML S3 was given and served back as is.
- moto never acts on a configuration. Here every object created in a source bucket (PUT, POST,
  copy, completed multipart upload) is copied, once the request that wrote it is answered, into
  the destination of the enabled rule of highest priority whose filter matches it, as S3 does
  asynchronously: an SSE-KMS object only
  when the rule selects SSE-KMS objects, encrypted with the rule's replica key, with its
  metadata and tags. A delete marker is replicated when the rule says so; a delete of a
  specific version never is. Replicas are never replicated again.

What is not modelled: the replication role's permissions (S3 would stop replicating when the
role lost them; the role's policy is asserted by the module's tests) and the delay.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_BUCKET = re.compile(r"^/(?P<bucket>[a-z0-9][a-z0-9.-]+)/?$")
_CREATED = {
    "s3:ObjectCreated:Put",
    "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload",
}
_REPLICA_MARK = "_obsctl_replica"


class ReplicationConfigurations:
    """Each bucket's replication configuration, as the XML document S3 was given."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, bytes] = {}

    def put(self, bucket: str, document: bytes) -> None:
        with self._lock:
            self._items[bucket] = document

    def get(self, bucket: str) -> bytes | None:
        return self._items.get(bucket)

    def drop(self, bucket: str) -> None:
        with self._lock:
            self._items.pop(bucket, None)


def replication_request(
    store: ReplicationConfigurations,
    app: WsgiApp,
    environ: dict[str, Any],
    start_response: Callable[..., Any],
) -> Iterable[bytes] | None:
    """Answer a bucket's `?replication` request, or None when it is not one."""
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    match = _BUCKET.match(environ.get("PATH_INFO", ""))
    if "replication" not in query or match is None:
        return None
    bucket, method = match["bucket"], environ["REQUEST_METHOD"]
    if method == "GET" and (document := store.get(bucket)) is not None and _exists(bucket):
        headers = [("Content-Type", "application/xml"), ("Content-Length", str(len(document)))]
        start_response("200 OK", headers)
        return [document]
    body = b""
    if method == "PUT":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)  # moto validates and stores it too
    status: list[str] = []

    def recording(code: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
        status.append(code)
        return start_response(code, headers, *rest)

    answer = list(app(environ, recording))
    if status and status[0].startswith("2"):
        if method == "PUT":
            store.put(bucket, body)
        elif method == "DELETE":
            store.drop(bucket)
    return answer


def _backend_of(bucket: str) -> Any | None:
    from moto.s3.models import s3_backends

    found = s3_backends.bucket_accounts.get(bucket)
    if found is None:
        return None
    partition, account = found
    return s3_backends[account][partition]


def _exists(bucket: str) -> bool:
    return _backend_of(bucket) is not None


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _enabled(block: Any) -> bool:
    return isinstance(block, dict) and block.get("Status") == "Enabled"


def _filter_matches(rule: dict[str, Any], key_name: str, tags: dict[str, str]) -> bool:
    """The rule's filter: a prefix, a tag, or both under And (or the old top-level Prefix)."""
    selector = rule.get("Filter")
    if selector is None:
        return key_name.startswith(rule.get("Prefix") or "")
    selector = selector.get("And", selector) if isinstance(selector, dict) else {}
    wanted = {tag["Key"]: tag["Value"] for tag in _list(selector.get("Tag"))}
    return key_name.startswith(selector.get("Prefix") or "") and all(
        tags.get(key) == value for key, value in wanted.items()
    )


def _rule_for(bucket: Any, key_name: str, tags: dict[str, str]) -> dict[str, Any] | None:
    configuration = getattr(bucket, "replication", None)
    if not configuration:
        return None
    rules = [
        rule
        for rule in _list(configuration.get("Rule"))
        if rule.get("Status") == "Enabled" and _filter_matches(rule, key_name, tags)
    ]
    return max(rules, key=lambda rule: int(rule.get("Priority") or 0), default=None)


def _destination(rule: dict[str, Any]) -> tuple[Any, str] | None:
    name = str(rule["Destination"]["Bucket"]).rsplit(":", 1)[-1]
    backend = _backend_of(name)
    if backend is None or not backend.get_bucket(name).is_versioned:
        return None  # S3 fails the replication of this object
    return backend, name


def replicate_object(source_backend: Any, bucket: Any, key: Any) -> None:
    """Copy a new object version to the replica, as the bucket's configuration asks."""
    if getattr(key, _REPLICA_MARK, False):
        return
    tags = source_backend.tagger.get_tag_dict_for_resource(key.arn)
    rule = _rule_for(bucket, key.name, tags)
    if rule is None:
        return
    replica_key_id = (rule["Destination"].get("EncryptionConfiguration") or {}).get(
        "ReplicaKmsKeyID"
    )
    if key.encryption in ("aws:kms", "aws:kms:dsse"):
        criteria = (rule.get("SourceSelectionCriteria") or {}).get("SseKmsEncryptedObjects")
        if not _enabled(criteria) or not replica_key_id:
            return  # S3 skips SSE-KMS objects unless the rule selects them
    target = _destination(rule)
    if target is None:
        return
    backend, name = target
    replica = backend.put_object(
        name,
        key.name,
        key.value,
        storage=rule["Destination"].get("StorageClass") or key.storage_class,
        encryption="aws:kms" if replica_key_id else key.encryption,
        kms_key_id=replica_key_id or key.kms_key_id,
        bucket_key_enabled=key.bucket_key_enabled,
        disable_notification=True,
    )
    replica.set_metadata(dict(key.metadata))
    setattr(replica, _REPLICA_MARK, True)
    if tags:
        backend.tagger.tag_resource(replica.arn, [{"Key": k, "Value": v} for k, v in tags.items()])


def replicate_delete_marker(source_backend: Any, bucket_name: str, key_name: str) -> None:
    """A delete marker added to a source object, added to its replica when the rule says so."""
    bucket = source_backend.get_bucket(bucket_name)
    rule = _rule_for(bucket, key_name, {})
    if rule is None or not _enabled(rule.get("DeleteMarkerReplication")):
        return
    target = _destination(rule)
    if target is None:
        return
    backend, name = target
    if key_name in backend.get_bucket(name).keys:
        backend.delete_object(name, key_name)


_pending = threading.local()


def _queue() -> list[tuple[Any, Any]]:
    if not hasattr(_pending, "items"):
        _pending.items = []
    return _pending.items


def _replicate_pending() -> None:
    """Replicate what the request just wrote, now that its metadata and tags are set."""
    queue = _queue()
    while queue:
        bucket, key = queue.pop(0)
        backend = _backend_of(bucket.name)
        if backend is not None:
            replicate_object(backend, bucket, key)


def _patch_moto() -> None:
    """Note moto's object writes (at its notification point); replicate delete markers."""
    from moto.s3 import notifications
    from moto.s3.models import S3Backend

    if getattr(notifications, "_obsctl_replication", False):
        return
    send_event = notifications.send_event

    def send_and_note(account_id: str, event_name: Any, bucket: Any, key: Any) -> None:
        send_event(account_id, event_name, bucket, key)
        if str(getattr(event_name, "value", event_name)) in _CREATED and key is not None:
            _queue().append((bucket, key))

    set_delete_marker = S3Backend._set_delete_marker

    def set_and_replicate(self: Any, bucket_name: str, key_name: str) -> Any:
        marker = set_delete_marker(self, bucket_name, key_name)
        replicate_delete_marker(self, bucket_name, key_name)
        return marker

    notifications.send_event = send_and_note  # type: ignore[assignment]
    S3Backend._set_delete_marker = set_and_replicate  # type: ignore[method-assign]
    notifications._obsctl_replication = True  # type: ignore[attr-defined]


def with_replication(app: WsgiApp) -> WsgiApp:
    """`app` with replication configurations served as written and objects replicated."""
    _patch_moto()
    store = ReplicationConfigurations()

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if "/s3/" not in environ.get("HTTP_AUTHORIZATION", ""):
            return app(environ, start_response)
        answered = replication_request(store, app, environ, start_response)
        if answered is not None:
            return answered
        _queue().clear()
        try:
            return app(environ, start_response)
        finally:
            _replicate_pending()

    return serve
