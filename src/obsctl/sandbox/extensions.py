"""What the local AWS needs beyond moto 5.2, so Terraform sees the same API answers as on AWS.

- EKS Pod Identity associations (the iam module's opt-in identity mode) are served here, in front
  of moto's own EKS routes; state lives in memory, like the rest of moto.
- KMS key rotation periods: moto ignores `RotationPeriodInDays`, so every plan would show the
  period drifting from 365 to 0. The period is stored and returned as AWS does.
- DynamoDB encryption changes: moto ignores UpdateTable's `SSESpecification`, so a table
  switched to the AWS owned key (or to another key) still read back encrypted with its own.
  The change is stored and read back as AWS does, with the key resolved to its ARN.
- S3 log-delivery permission: moto's check fails with a server error on a statement whose
  principal is the string "*" and compares resources literally; AWS matches them as patterns.
- S3 sub-resources moto lacks (request metrics, analytics, Intelligent-Tiering), inventory
  deletes, DynamoDB Kinesis destinations and S3 Control's account host: see sharing.py.
- EKS clusters each get their own OIDC issuer (clusters.py), S3 replication configurations
  read back as written and objects replicate (replication.py), and AssumeRoleWithWebIdentity
  decides by the role's trust (web_identity.py).
"""

from __future__ import annotations

import json
import re
import secrets
import string
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_ASSOCIATIONS = re.compile(
    r"^/clusters/(?P<cluster>[^/]+)/pod-identity-associations/?(?P<id>[^/]+)?$"
)
_TAGS = re.compile(r"^/tags/(?P<arn>arn.+podidentityassociation.+)$")
_REGION = re.compile(r"Credential=[^/]+/\d{8}/(?P<region>[a-z0-9-]+)/eks/")


class PodIdentityStore:
    """In-memory EKS Pod Identity associations, keyed by association id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, dict[str, Any]] = {}

    def create(self, region: str, cluster: str, body: dict[str, Any]) -> dict[str, Any]:
        from moto.core import DEFAULT_ACCOUNT_ID

        with self._lock:
            for item in self._items.values():
                if (item["clusterName"], item["namespace"], item["serviceAccount"]) == (
                    cluster,
                    body.get("namespace"),
                    body.get("serviceAccount"),
                ):
                    raise _ApiError(409, "ResourceInUseException", "Association already exists")
            alphabet = string.ascii_lowercase + string.digits
            association_id = "a-" + "".join(secrets.choice(alphabet) for _ in range(17))
            now = datetime.now(UTC).timestamp()  # the EKS API sends epoch seconds
            item = {
                "clusterName": cluster,
                "namespace": body.get("namespace"),
                "serviceAccount": body.get("serviceAccount"),
                "roleArn": body.get("roleArn"),
                "associationArn": (
                    f"arn:aws:eks:{region}:{DEFAULT_ACCOUNT_ID}:podidentityassociation/"
                    f"{cluster}/{association_id}"
                ),
                "associationId": association_id,
                "tags": body.get("tags") or {},
                "createdAt": now,
                "modifiedAt": now,
                "disableSessionTags": bool(body.get("disableSessionTags", False)),
            }
            if body.get("targetRoleArn"):
                item["targetRoleArn"] = body["targetRoleArn"]
            self._items[association_id] = item
            return item

    def get(self, cluster: str, association_id: str) -> dict[str, Any]:
        item = self._items.get(association_id)
        if item is None or item["clusterName"] != cluster:
            raise _ApiError(404, "ResourceNotFoundException", f"{association_id} not found")
        return item

    def update(self, cluster: str, association_id: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            item = self.get(cluster, association_id)
            for field in ("roleArn", "targetRoleArn", "disableSessionTags"):
                if field in body:
                    item[field] = body[field]
            item["modifiedAt"] = datetime.now(UTC).timestamp()
            return item

    def delete(self, cluster: str, association_id: str) -> dict[str, Any]:
        with self._lock:
            item = self.get(cluster, association_id)
            del self._items[association_id]
            return item

    def list(self, cluster: str, namespace: str | None, account: str | None) -> list[dict]:
        return [
            {
                k: item[k]
                for k in (
                    "clusterName",
                    "namespace",
                    "serviceAccount",
                    "associationArn",
                    "associationId",
                )
            }
            for item in self._items.values()
            if item["clusterName"] == cluster
            and (namespace is None or item["namespace"] == namespace)
            and (account is None or item["serviceAccount"] == account)
        ]

    def by_arn(self, arn: str) -> dict[str, Any]:
        for item in self._items.values():
            if item["associationArn"] == arn:
                return item
        raise _ApiError(404, "ResourceNotFoundException", f"{arn} not found")


class _ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _respond(
    start_response: Callable[..., Any], status: int, payload: dict, error: str = ""
) -> list[bytes]:
    body = json.dumps(payload).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    if error:
        headers.append(("x-amzn-ErrorType", error))
    reason = {200: "OK", 404: "Not Found", 409: "Conflict", 400: "Bad Request"}.get(status, "Error")
    start_response(f"{status} {reason}", headers)
    return [body]


def _patch_kms_rotation_period() -> None:
    from moto.kms.responses import KmsResponse

    def enable_key_rotation(self: Any) -> str:
        key_id = self._get_param("KeyId")
        self._validate_cmk_id(key_id)
        self.kms_backend.enable_key_rotation(key_id)
        key = self.kms_backend.keys[self.kms_backend.get_key_id(key_id)]
        key.rotation_period_in_days = self._get_param("RotationPeriodInDays") or 365
        return json.dumps(None)

    def get_key_rotation_status(self: Any) -> str:
        key_id = self._get_param("KeyId")
        self._validate_cmk_id(key_id)
        enabled = self.kms_backend.get_key_rotation_status(key_id)
        answer: dict[str, Any] = {"KeyRotationEnabled": enabled}
        if enabled:
            key = self.kms_backend.keys[self.kms_backend.get_key_id(key_id)]
            answer["RotationPeriodInDays"] = getattr(key, "rotation_period_in_days", 365)
        return json.dumps(answer)

    KmsResponse.enable_key_rotation = enable_key_rotation  # type: ignore[method-assign]
    KmsResponse.get_key_rotation_status = get_key_rotation_status  # type: ignore[method-assign]


def _patch_dynamodb_encryption_update() -> None:
    from moto.dynamodb.responses import DynamoHandler
    from moto.kms import kms_backends

    from obsctl.sandbox.fidelity.patching import refuse

    update_table = DynamoHandler.update_table

    def key_arn(self: Any, key_id: str) -> str:
        kms = kms_backends[self.current_account][self.region]
        name = kms.get_alias_name(key_id)
        found = kms.get_key_id_from_alias(name) if name.startswith("alias/") else name
        key = kms.keys.get(kms.get_key_id(found)) if found else None
        if key is None:
            refuse("dynamodb", "ValidationException", f"KMS key {key_id} does not exist.")
        return str(key.arn)

    def update_table_and_encryption(self: Any) -> Any:
        specification = self.body.get("SSESpecification")
        if specification is not None:
            table = self.dynamodb_backend.get_table(self.body["TableName"])
            if not specification.get("Enabled"):
                table.sse_specification = None  # the AWS owned key: no SSEDescription
            else:
                key = specification.get("KMSMasterKeyId")
                table.sse_specification = {
                    "Enabled": True,
                    "SSEType": "KMS",
                    "KMSMasterKeyId": key_arn(self, key)
                    if key
                    else table._get_default_encryption_key(self.current_account, self.region),
                }
        return update_table(self)

    DynamoHandler.update_table = update_table_and_encryption  # type: ignore[method-assign]


def _patch_s3_log_delivery_check() -> None:
    from fnmatch import fnmatchcase

    from moto.s3.models import FakeBucket

    def allows_log_delivery(target_bucket: Any, target_prefix: str | None) -> bool:
        if not target_bucket.policy:
            return False
        object_arn = (
            f"arn:{target_bucket.partition}:s3:::{target_bucket.name}/{target_prefix or ''}"
        )
        for statement in json.loads(target_bucket.policy.decode())["Statement"]:
            principal = statement.get("Principal")
            services = principal.get("Service", []) if isinstance(principal, dict) else []
            actions = statement.get("Action", [])
            resources = statement.get("Resource", [])
            if (
                statement.get("Effect") == "Allow"
                and "logging.s3.amazonaws.com"
                in ([services] if isinstance(services, str) else services)
                and any(
                    a in ("s3:PutObject", "s3:*")
                    for a in ([actions] if isinstance(actions, str) else actions)
                )
                and any(
                    fnmatchcase(object_arn + "x", r)
                    for r in ([resources] if isinstance(resources, str) else resources)
                )
            ):
                return True
        return False

    FakeBucket._log_permissions_enabled_policy = staticmethod(allows_log_delivery)  # type: ignore[method-assign]


def with_extensions(app: WsgiApp) -> WsgiApp:
    """Patch moto where it differs from AWS; extension routes answer before moto's own."""
    from obsctl.sandbox.clusters import patch_cluster_issuers
    from obsctl.sandbox.fidelity import limits
    from obsctl.sandbox.replication import with_replication
    from obsctl.sandbox.sharing import SharingFidelity
    from obsctl.sandbox.web_identity import with_web_identity_trust

    _patch_kms_rotation_period()
    _patch_dynamodb_encryption_update()
    _patch_s3_log_delivery_check()
    patch_cluster_issuers()
    limits.install()  # AWS's limits and validations (obsctl/limits/table.yaml)
    # AWS's limits answer first, then web identity decided by trust, then replication.
    app = limits.in_front(with_web_identity_trust(with_replication(app)))
    store = PodIdentityStore()
    sharing = SharingFidelity()

    def dispatch(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        auth = environ.get("HTTP_AUTHORIZATION", "")
        if (answered_here := sharing(environ, start_response)) is not None:
            return answered_here
        if "/eks/" not in auth:
            return app(environ, start_response)
        region_match = _REGION.search(auth)
        region = region_match["region"] if region_match else "us-east-1"
        try:
            if match := _ASSOCIATIONS.match(path):
                return _respond(start_response, 200, _associations(store, environ, region, match))
            if match := _TAGS.match(path):
                item = store.by_arn(unquote(match["arn"]))
                return _respond(start_response, 200, {"tags": item["tags"]})
        except _ApiError as error:
            return _respond(start_response, error.status, {"message": error.message}, error.code)
        return app(environ, start_response)

    return dispatch


def _associations(
    store: PodIdentityStore, environ: dict[str, Any], region: str, match: re.Match[str]
) -> dict[str, Any]:
    method = environ["REQUEST_METHOD"]
    cluster, association_id = unquote(match["cluster"]), match["id"]
    _require_cluster(cluster, region)
    if association_id is None:
        if method == "POST":
            return {"association": store.create(region, cluster, _json_body(environ))}
        query = parse_qs(environ.get("QUERY_STRING", ""))
        namespace = query.get("namespace", [None])[0]
        account = query.get("serviceAccount", [None])[0]
        return {"associations": store.list(cluster, namespace, account)}
    if method == "GET":
        return {"association": store.get(cluster, association_id)}
    if method == "POST":
        return {"association": store.update(cluster, association_id, _json_body(environ))}
    if method == "DELETE":
        return {"association": store.delete(cluster, association_id)}
    raise _ApiError(400, "InvalidRequestException", f"{method} is not supported here")


def _require_cluster(cluster: str, region: str) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.eks.models import eks_backends

    if cluster not in eks_backends[DEFAULT_ACCOUNT_ID][region].clusters:
        raise _ApiError(404, "ResourceNotFoundException", f"No cluster found for name: {cluster}.")


def _json_body(environ: dict[str, Any]) -> dict[str, Any]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    return json.loads(raw or b"{}")
