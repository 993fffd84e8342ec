"""Re-derive the test fixtures from today's modules, on a throwaway local AWS.

    .venv/bin/python scripts/record_fixtures.py                # everything below (about 2 min)
    .venv/bin/python scripts/record_fixtures.py plans          # the plan fixtures (about 40 s)
    .venv/bin/python scripts/record_fixtures.py plans --check  # exit 1 if they drifted

What it writes:

- tests/fixtures/plan/{dev,prod,prod-replica}.json: `terraform show -json` of the plan of each
  env root (prod-replica: prod with replica_region=us-west-2) on an
  empty local AWS (what `obsctl cost` prices, and what docs/cost.md is generated from).
  tests/integration/test_fixtures.py plans again and fails when they drift from the modules.
- tests/fixtures/contract/dev.json and tests/golden/values/prod-contract.json: `terraform output
  -json` of dev and prod applied with their defaults (what the values tests read).
- tests/unit/verify/fixtures/{dev,prod,paged,missing}.json: per stack, the contract outputs,
  the state's relevant resources and every AWS call `verify` made with its answer:
  dev and prod (legacy tables on) as applied, where every check passes; `missing`, what S3,
  KMS, IAM and DynamoDB answer for configuration never set on a bare bucket and for resources
  that do not exist; `paged`, prod with two managed policies attached to the Loki role (the
  second, on page 2, reaches a Mimir bucket) and a second alias on the Mimir key, its list
  answers split into pages of one item as AWS pages them at MaxItems=1 (moto ignores MaxItems).

Identifiers the local AWS draws at random (key ids, IAM unique ids) and the timestamps it
stamps are replaced by the ones the previous fixture held at the same place, and lists it
answers in no fixed order (tags, alarms, metric dimensions) are sorted, so a re-recording
changes only what the modules changed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PLANS = REPO / "tests" / "fixtures" / "plan"
CONTRACTS = {
    "dev": REPO / "tests" / "fixtures" / "contract" / "dev.json",
    "prod": REPO / "tests" / "golden" / "values" / "prod-contract.json",
}
VERIFY = REPO / "tests" / "unit" / "verify" / "fixtures"
ENVS = ("dev", "prod")
# plan fixture -> (env, variables): the envs as they default, and prod replicating its buckets
PLAN_FIXTURES = {
    "dev": ("dev", []),
    "prod": ("prod", []),
    "prod-replica": ("prod", ["replica_region=us-west-2"]),
}
TABLES = ["create_loki_tables=true", "create_mimir_tables=true"]
# What a plan JSON holds that depends on the modules (the rest: timestamps, versions, checks).
PLAN_KEYS = ("variables", "planned_values", "resource_changes", "output_changes", "configuration")
# What the local AWS draws at random or stamps with the clock: KMS key ids, IAM unique ids
# (roles, policies) and timestamps. (The cluster's OIDC issuer is not random: the local AWS
# derives it from the cluster's account, region and name, obsctl/sandbox/clusters.py.)
KEY_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
IAM_ID = re.compile(r"\bA[A-Z0-9]{20}\b")  # AROA... for roles; moto draws policy ids
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")
DRAWN = re.compile("|".join(pattern.pattern for pattern in (KEY_ID, IAM_ID, TIMESTAMP)))
# Lists whose order the local AWS does not fix (tags, alarms, metric dimensions), sorted by
# the first of these fields their items all carry.
ORDER_BY = ("TagKey", "Key", "AlarmName", "Name")
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
    "aws_cloudtrail",
    "aws_sns_topic",
    "aws_sns_topic_subscription",
    "aws_cloudwatch_metric_alarm",
}
# list call -> (items key, request marker, response marker, truncated flag)
PAGED = {
    "list_role_policies": ("PolicyNames", "Marker", "Marker", "IsTruncated"),
    "list_attached_role_policies": ("AttachedPolicies", "Marker", "Marker", "IsTruncated"),
    "list_aliases": ("Aliases", "Marker", "NextMarker", "Truncated"),
}


# -- stable identifiers ----------------------------------------------------------------------


def _strings(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for position, value in enumerate(node):
            yield from _strings(value, (*path, position))


def stable_ids(fresh: Any, previous: Any, *others: Any) -> list[Any]:
    """`fresh` and `others` with each drawn identifier replaced by the one `previous` held
    at the same place (a key id by a fixed one derived from the place, when it held none).
    An identifier `previous` holds anywhere is stable already and kept."""
    before = dict(_strings(previous))
    held = {token for _, text in before.items() for token in DRAWN.findall(text)}
    mapping: dict[str, str] = {}
    for path, text in _strings(fresh):
        old = DRAWN.findall(before.get(path, ""))
        for position, token in enumerate(DRAWN.findall(text)):
            if token in mapping or token in held:
                continue
            if position < len(old) and _kind(old[position]) == _kind(token):
                mapping[token] = old[position]
            elif KEY_ID.fullmatch(token):
                mapping[token] = str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(map(str, path))))
    pattern = re.compile("|".join(re.escape(token) for token in mapping)) if mapping else None

    def replace(document: Any) -> Any:
        text = json.dumps(document)
        if pattern is not None:
            text = pattern.sub(lambda match: mapping[match.group(0)], text)
        return json.loads(text)

    return [replace(document) for document in (fresh, *others)]


def _kind(token: str) -> str:
    """A key id, an IAM unique id, or a timestamp of one format."""
    if KEY_ID.fullmatch(token):
        return "key id"
    if IAM_ID.fullmatch(token):
        return "IAM id"
    return re.sub(r"[0-9]", "9", token)


def in_stable_order(node: Any) -> Any:
    """`node` with each list of ORDER_BY items sorted by that field, at every depth."""
    if isinstance(node, dict):
        return {key: in_stable_order(value) for key, value in node.items()}
    if not isinstance(node, list):
        return node
    items = [in_stable_order(item) for item in node]
    for field in ORDER_BY:
        if items and all(isinstance(item, dict) and field in item for item in items):
            return sorted(items, key=lambda item: str(item[field]))
    return items


def _previous(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _write(path: Path, document: Any, indent: int = 1) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=indent, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(REPO)}")


# -- plans and contracts ---------------------------------------------------------------------


def _in_address_order(module: dict[str, Any]) -> dict[str, Any]:
    """`module` (a plan's planned_values module) with its resources and child modules, at
    every depth, sorted by address: Terraform lists child modules in no fixed order."""
    ordered = dict(module)
    if "resources" in module:
        ordered["resources"] = sorted(module["resources"], key=lambda item: item["address"])
    if "child_modules" in module:
        children = [_in_address_order(child) for child in module["child_modules"]]
        ordered["child_modules"] = sorted(children, key=lambda item: item["address"])
    return ordered


def normalised_plan(plan: dict[str, Any], previous: Any) -> dict[str, Any]:
    """The parts of a plan JSON the modules decide, in a fixed order, with stable identifiers."""
    kept = {key: plan[key] for key in PLAN_KEYS if key in plan}
    if "planned_values" in kept:
        root = _in_address_order(kept["planned_values"]["root_module"])
        kept["planned_values"] = {**kept["planned_values"], "root_module": root}
    if "resource_changes" in kept:
        kept["resource_changes"] = sorted(
            kept["resource_changes"], key=lambda change: change["address"]
        )
    kept["format_version"] = plan.get("format_version")
    (stable,) = stable_ids(kept, previous)
    return stable


def plan_of(env: str, variables: list[str] | None = None) -> dict[str, Any]:
    """The plan JSON of `env` on the running local AWS, as `obsctl cost` reads it."""
    from obsctl.workspace.session import open_session

    session = open_session(env, "local", variables=variables or [])
    session.init()
    return session.plan_json(session.plan())


def record_plans(check: bool = False) -> int:
    """Write the plan fixtures, or (check) say how today's plans differ from them."""
    stale = 0
    for name, (env, variables) in PLAN_FIXTURES.items():
        path = PLANS / f"{name}.json"
        fresh = normalised_plan(plan_of(env, variables), _previous(path))
        if not check:
            _write(path, fresh)
            continue
        differences = plan_differences(_previous(path), fresh)
        for line in differences:
            print(f"{path.relative_to(REPO)}: {line}")
        stale += bool(differences)
    if stale:
        print("The plan fixtures are stale: run .venv/bin/python scripts/record_fixtures.py")
    return 1 if stale else 0


def plan_differences(recorded: dict[str, Any], fresh: dict[str, Any]) -> list[str]:
    """What today's plan adds, drops or plans differently, by resource address and output."""

    def changes(plan: dict[str, Any]) -> dict[str, Any]:
        return {change["address"]: change["change"] for change in plan.get("resource_changes", [])}

    before, after = changes(recorded), changes(fresh)
    found = [
        f"{address} is planned but not recorded" for address in sorted(after.keys() - before.keys())
    ]
    found += [
        f"{address} is recorded but no longer planned"
        for address in sorted(before.keys() - after.keys())
    ]
    found += [
        f"{address} is planned differently"
        for address in sorted(before.keys() & after.keys())
        if before[address] != after[address]
    ]
    outputs = (recorded.get("output_changes") or {}, fresh.get("output_changes") or {})
    found += [
        f"output {name} differs"
        for name in sorted(outputs[0].keys() | outputs[1].keys())
        if outputs[0].get(name) != outputs[1].get(name)
    ]
    rest = [key for key in PLAN_KEYS if key not in ("resource_changes", "output_changes")]
    found += [f"{key} differs" for key in rest if recorded.get(key) != fresh.get(key)]
    return found


def _apply(env: str, variables: list[str]) -> Any:
    from obsctl.workspace.session import open_session

    session = open_session(env, "local", variables=variables)
    session.init()
    session.apply(session.plan())
    return session


def record_contract(env: str, session: Any) -> None:
    path = CONTRACTS[env]
    (outputs,) = stable_ids(session.terraform.outputs(), _previous(path))
    _write(path, outputs, indent=2)  # as `terraform output -json` prints it


# -- verify ----------------------------------------------------------------------------------


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
            entry["response"] = in_stable_order(json.loads(json.dumps(plain, default=str)))
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


def _write_verify(name: str, outputs: Any, state: Any, calls: list[dict[str, Any]]) -> None:
    path = VERIFY / f"{name}.json"
    previous = _previous(path)

    def in_call_order(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(
            entries, key=lambda c: (c["service"], c["operation"], json.dumps(c["params"]))
        )

    # The stack's own identifiers first (outputs, then the state), where each has a fixed
    # place; then what only the AWS answers hold (timestamps, policy ids), call by call.
    stack, calls = stable_ids(
        {"outputs": outputs, "state": state},
        {"outputs": previous.get("outputs", {}), "state": previous.get("state", {})},
        calls,
    )
    calls, stack = stable_ids(in_call_order(calls), previous.get("calls", []), stack)
    _write(
        path,
        {
            "description": "Recorded by scripts/record_fixtures.py (its docstring says how).",
            "fixture": name,
            **stack,
            "calls": in_call_order(calls),
        },
    )


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
    _write_verify(name, state.get("outputs", {}), _slim_state(state), calls)


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
    # New buckets are BucketOwnerEnforced on AWS (and on the local AWS): a bucket without
    # ownership controls is one whose controls were deleted (or one older than April 2023).
    clients("s3").delete_bucket_ownership_controls(Bucket="verify-fixture-bare")
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
    _write_verify("missing", {}, {}, list(recorder.calls.values()))


def record_applied() -> None:
    """Contracts, then the verify fixtures (prod again, with the legacy tables on)."""
    for env in ENVS:
        session = _apply(env, [])
        record_contract(env, session)
        if env == "dev":
            _record_stack(session, "dev")
    session = _apply("prod", TABLES)
    _record_stack(session, "prod")
    _record_stack(session, "paged", _attach_paged_extras)
    _record_missing(session)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", nargs="?", choices=("all", "plans"), default="all")
    parser.add_argument(
        "--check", action="store_true", help="plans only: exit 1 when the fixtures drifted"
    )
    args = parser.parse_args(argv)
    if args.check and args.what != "plans":
        parser.error("--check compares the plan fixtures only: pass `plans --check`")
    with tempfile.TemporaryDirectory(prefix="obsctl-fixtures-") as folder:
        os.environ["OBSCTL_STATE_DIR"] = folder
        from obsctl.paths import state_dir
        from obsctl.sandbox import Sandbox

        try:
            code = record_plans(check=args.check)
            if args.what == "all":
                record_applied()
        finally:
            Sandbox(state_dir() / "sandbox").stop()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
