"""Record the API answers the verify unit tests replay, from stacks applied to the local AWS.

    .venv/bin/python -m tests.unit.verify.record_fixtures

Applies envs/dev and envs/prod (legacy tables on) to a throwaway local AWS, runs `verify_stack`
through a recording client factory and writes, per stack, the contract outputs, the state's
relevant resources and every call with its response or error code:

- dev.json, prod.json: the freshly applied stacks (every check passes on them);
- missing.json: what S3, KMS, IAM and DynamoDB answer for configuration that was never set on a
  bare bucket (NoSuchLifecycleConfiguration, NoSuchBucketPolicy, ...) and for resources that do
  not exist;
- paged.json: prod with two managed policies attached to the Loki role (the second, on page 2,
  reaches a Mimir bucket) and a second alias on the Mimir key. moto ignores MaxItems and Limit,
  so the recorder splits the recorded list_role_policies, list_attached_role_policies and
  list_aliases answers into pages of one item, with the Marker / IsTruncated (IAM) and
  NextMarker / Truncated (KMS) fields AWS documents, as AWS pages them at MaxItems=1.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
STATE_TYPES = {
    "aws_s3_bucket",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_logging",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_kms_key",
    "aws_kms_key_policy",
    "aws_kms_alias",
    "aws_iam_role",
    "aws_iam_role_policy",
    "aws_iam_role_policy_attachment",
    "aws_dynamodb_table",
}
# list call -> (items key, request marker, response marker, truncated flag)
PAGED = {
    "list_role_policies": ("PolicyNames", "Marker", "Marker", "IsTruncated"),
    "list_attached_role_policies": ("AttachedPolicies", "Marker", "Marker", "IsTruncated"),
    "list_aliases": ("Aliases", "Marker", "NextMarker", "Truncated"),
}


class Recorder:
    """A client factory wrapping real clients; every call and its answer is kept."""

    def __init__(self, factory: Any) -> None:
        self.factory = factory
        self.calls: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()

    def __call__(self, service: str) -> Any:
        return _RecordingClient(self, service, self.factory(service))

    def keep(self, entry: dict[str, Any]) -> None:
        key = json.dumps([entry["service"], entry["operation"], entry["params"]], sort_keys=True)
        with self.lock:
            self.calls[key] = entry


class _RecordingClient:
    def __init__(self, recorder: Recorder, service: str, client: Any) -> None:
        self._recorder, self._service, self._client = recorder, service, client

    def __getattr__(self, operation: str) -> Any:
        from botocore.exceptions import ClientError

        real = getattr(self._client, operation)

        def invoke(**params: Any) -> Any:
            entry: dict[str, Any] = {
                "service": self._service,
                "operation": operation,
                "params": params,
            }
            try:
                response = real(**params)
            except ClientError as error:
                details = error.response.get("Error", {})
                entry["error"] = {
                    "code": details.get("Code"),
                    "message": details.get("Message", ""),
                }
                self._recorder.keep(entry)
                raise
            plain = {k: v for k, v in response.items() if k != "ResponseMetadata"}
            entry["response"] = json.loads(json.dumps(plain, default=str))
            self._recorder.keep(entry)
            return response

        return invoke


def _slim_state(state: dict[str, Any]) -> dict[str, Any]:
    resources = [r for r in state.get("resources", []) if r.get("type") in STATE_TYPES]
    return {"version": state.get("version"), "outputs": {}, "resources": resources}


def _paged(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every multi-item list answer split into pages of one item."""
    result = []
    for entry in calls:
        spec = PAGED.get(entry["operation"])
        items = (entry.get("response") or {}).get(spec[0], []) if spec else []
        if not spec or len(items) < 2:
            result.append(entry)
            continue
        key, request_marker, response_marker, flag = spec
        for index, item in enumerate(items):
            params = dict(entry["params"])
            if index:
                params[request_marker] = f"page-{index + 1}"
            response: dict[str, Any] = {key: [item], flag: index < len(items) - 1}
            if index < len(items) - 1:
                response[response_marker] = f"page-{index + 2}"
            result.append({**entry, "params": params, "response": response})
    return result


def _write(name: str, outputs: dict[str, Any], state: dict[str, Any], calls: list[dict]) -> None:
    document = {
        "description": __doc__.split("\n\n")[0].strip() if __doc__ else "",
        "fixture": name,
        "outputs": outputs,
        "state": state,
        "calls": sorted(
            calls, key=lambda c: (c["service"], c["operation"], json.dumps(c["params"]))
        ),
    }
    (FIXTURES / f"{name}.json").write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    print(f"wrote {name}.json: {len(calls)} calls")


def _record_stack(session: Any, name: str, mutate: Any = None) -> None:
    from obsctl.verify import VerifyOptions, verify_stack
    from obsctl.verify.session import clients_for, read_state

    state = read_state(session)
    contract = session.contract()
    clients = clients_for(session, contract.region)
    if mutate is not None:
        mutate(clients, contract)
    recorder = Recorder(clients)
    report = verify_stack(contract, state, recorder, VerifyOptions())
    print(f"{name}: {report.verdict()}")
    calls = list(recorder.calls.values())
    if name == "paged":
        calls = _paged(calls)
    _write(name, state.get("outputs", {}), _slim_state(state), calls)


def _attach_paged_extras(clients: Any, contract: Any) -> None:
    iam, kms = clients("iam"), clients("kms")
    role = contract.roles["loki"].name
    own = contract.buckets["loki"]["chunks"].arn
    foreign = contract.buckets["mimir"]["blocks"].arn
    for name, arn in (("verify-fixture-a-own", own), ("verify-fixture-z-foreign", foreign)):
        document = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{arn}/*"}],
        }
        policy = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))
        iam.attach_role_policy(RoleName=role, PolicyArn=policy["Policy"]["Arn"])
    kms.create_alias(
        AliasName="alias/aaa-verify-fixture", TargetKeyId=contract.kms_keys["mimir"].arn
    )


def _record_missing(session: Any) -> None:
    from obsctl.verify.aws import call
    from obsctl.verify.collect import BUCKET_READS
    from obsctl.verify.session import clients_for

    clients = clients_for(session, "us-east-1")
    clients("s3").create_bucket(Bucket="verify-fixture-bare")
    recorder = Recorder(clients)
    s3, kms, iam, dynamodb = (recorder(s) for s in ("s3", "kms", "iam", "dynamodb"))
    for bucket in ("verify-fixture-bare", "verify-fixture-gone"):
        for operation in BUCKET_READS.values():
            call(s3, operation, Bucket=bucket)
    gone_key = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-000000000000"
    call(kms, "describe_key", KeyId=gone_key)
    call(iam, "get_role", RoleName="verify-fixture-gone")
    call(dynamodb, "describe_table", TableName="verify-fixture-gone")
    call(dynamodb, "describe_continuous_backups", TableName="verify-fixture-gone")
    _write("missing", {}, {}, list(recorder.calls.values()))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="obsctl-verify-fixtures-") as folder:
        os.environ["OBSCTL_STATE_DIR"] = folder
        from obsctl.paths import state_dir
        from obsctl.sandbox import Sandbox
        from obsctl.workspace.session import open_session

        try:
            for env, variables in (
                ("dev", []),
                ("prod", ["create_loki_tables=true", "create_mimir_tables=true"]),
            ):
                session = open_session(env, "local", variables=variables)
                session.init()
                session.apply(session.plan())
                _record_stack(session, env)
            _record_stack(session, "paged", _attach_paged_extras)
            _record_missing(session)
        finally:
            Sandbox(state_dir() / "sandbox").stop()


if __name__ == "__main__":
    main()
