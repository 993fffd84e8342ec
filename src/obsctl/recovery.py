"""What an apply that did not finish left behind, and how obsctl cleans it up.

Before Terraform applies, obsctl writes an apply journal (`apply-in-progress.json` in the
workspace's work dir) with its own pid; it removes it when the apply succeeds and records the
outcome otherwise (failed, interrupted, killed). The next command that prepares the workspace
finds the journal: its process is gone, so the last apply did not finish.

Measured on Terraform 1.11 with aws provider 5.100: even a clean Ctrl-C leaves resources that
were being created outside the state (the provider cancels, the create returns without an ID),
and a SIGKILL orphans whatever was in flight (KMS keys take about 9 s to create). Keys have no
name, so Terraform never notices them; buckets, roles and aliases make the next apply fail with
"already exists". So after an unfinished apply obsctl compares what exists with the state:

- local target: resources of this stack (its name prefix, or its tags when no prefix is known)
  that exist in the local AWS but not in the state are removed (keys scheduled for deletion), and
  one sentence says so. Nothing another workspace's state tracks, and never the state bucket.
- aws target: nothing is deleted. The same inventory, through the normal credential chain, lists
  what may be orphaned and how to import or delete each, and the next apply stops until the user
  has dealt with them or sets OBSCTL_ACCEPT_ORPHANS=1.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from obsctl.errors import ObsctlError
from obsctl.inventory import ClientFactory, Inventory, live_inventory
from obsctl.model.contract import RESERVED_TAGS
from obsctl.model.tfjson import TerraformJSON

JOURNAL_NAME = "apply-in-progress.json"
ACCEPT_ORPHANS_ENV = "OBSCTL_ACCEPT_ORPHANS"
ENVIRONMENT_TAG = RESERVED_TAGS["environment"]
# Outcomes an obsctl process records itself; a journal without one means obsctl was killed.
OUTCOMES = ("failed", "interrupted", "killed")

_KIND_NAMES = {
    "buckets": ("bucket", "buckets"),
    "keys": ("KMS key", "KMS keys"),
    "aliases": ("KMS alias", "KMS aliases"),
    "roles": ("IAM role", "IAM roles"),
    "tables": ("DynamoDB table", "DynamoDB tables"),
    "trails": ("CloudTrail trail", "CloudTrail trails"),
    "alarms": ("CloudWatch alarm", "CloudWatch alarms"),
    "topics": ("SNS topic", "SNS topics"),
}
# Removal order: what refers to others first (aliases to keys, alarms to topics, ...).
_REMOVAL_ORDER = ("aliases", "alarms", "trails", "topics", "tables", "roles", "buckets", "keys")


# -- the apply journal ---------------------------------------------------------------------------


@dataclass
class ApplyRecord:
    """One apply obsctl started: who ran it, against what, and how it ended (if it knows)."""

    pid: int
    pid_start: int | None
    started_at: float
    label: str
    target: str
    root: str
    command: str = ""
    sandbox_instance: str | None = None
    terraform_pid: int | None = None
    terraform_start: int | None = None
    outcome: str | None = None

    @property
    def process_alive(self) -> bool:
        return _alive(self.pid, self.pid_start)

    @property
    def terraform_alive(self) -> bool:
        return self.terraform_pid is not None and _alive(self.terraform_pid, self.terraform_start)

    def stop_leftover_plugins(self) -> list[int]:
        """Kill the provider plugins the recorded Terraform left once Terraform itself is gone.

        They stay in its process group, finish creating what was in flight (resources no state
        will record) and then wait forever. Only plugin processes of this user in that group are
        signalled. Returns their pids.
        """
        if self.terraform_pid is None or self.terraform_alive:
            return []
        plugins = _plugins_in_group(self.terraform_pid)
        for pid in plugins:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while plugins and time.monotonic() < deadline and any(_alive(p, None) for p in plugins):
            time.sleep(0.05)
        return plugins

    def how_it_ended(self) -> str:
        """How it ended: "was interrupted", "was killed", "failed" or "was cut short (...)"."""
        return {
            "failed": "failed",
            "interrupted": "was interrupted",
            "killed": "was killed",
        }.get(self.outcome or "", "was cut short (obsctl itself was killed)")

    def when(self) -> str:
        return f"{datetime.fromtimestamp(self.started_at, UTC):%Y-%m-%d %H:%M:%S} UTC"


@dataclass(frozen=True)
class ApplyJournal:
    """The journal file of one workspace."""

    work_dir: Path

    @property
    def path(self) -> Path:
        return self.work_dir / JOURNAL_NAME

    def begin(
        self, *, label: str, target: str, root: Path, sandbox_instance: str | None
    ) -> ApplyRecord:
        record = ApplyRecord(
            pid=os.getpid(),
            pid_start=_start_time(os.getpid()),
            started_at=time.time(),
            label=label,
            target=target,
            root=str(root),
            command=" ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else "",
            sandbox_instance=sandbox_instance,
        )
        self._write(record)
        return record

    def terraform_started(self, pid: int) -> None:
        record = self.read()
        if record is not None and record.pid == os.getpid():
            record.terraform_pid, record.terraform_start = pid, _start_time(pid)
            self._write(record)

    def finish(self, outcome: str | None) -> None:
        """None (success) removes the journal; an outcome keeps it for the next command."""
        if outcome is None:
            self.clear()
            return
        record = self.read()
        if record is not None and record.pid == os.getpid():
            record.outcome = outcome
            self._write(record)

    def read(self) -> ApplyRecord | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return ApplyRecord(**data)
        except FileNotFoundError:
            return None
        except (ValueError, TypeError):
            # A journal cut mid-write: its apply did not finish either.
            return ApplyRecord(0, None, self.path.stat().st_mtime, "", "", "", outcome="killed")

    def unfinished(self) -> ApplyRecord | None:
        """The last apply's record when it did not finish and its obsctl process is gone."""
        record = self.read()
        if record is None or (record.outcome is None and record.process_alive):
            return None
        if record.pid == os.getpid():
            return None  # this very process wrote it (several sessions in one process)
        return record

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

    def _write(self, record: ApplyRecord) -> None:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        partial.write_text(json.dumps(asdict(record)), encoding="utf-8")
        partial.replace(self.path)


def _start_time(pid: int) -> int | None:
    """The process start time in clock ticks since boot (guards against pid reuse)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return int(fields[19]) if len(fields) > 19 else None


def _alive(pid: int, start: int | None) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    stat_start = _start_time(pid)
    if stat_start is None:
        return Path("/proc").is_dir() is False  # no /proc: trust kill(0)
    if start is not None and stat_start != start:
        return False  # the pid was reused by another process
    return _state(pid) != "Z"


def _plugins_in_group(pgid: int) -> list[int]:
    """Terraform provider plugins of this user whose process group is `pgid`."""
    found = []
    uid = os.getuid()
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if entry.stat().st_uid != uid:
                continue
            fields = entry.joinpath("stat").read_text(errors="replace").rpartition(")")[2].split()
            if int(fields[2]) != pgid:
                continue
            argv0 = entry.joinpath("cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        if Path(argv0).name.startswith("terraform-provider-"):
            found.append(int(entry.name))
    return found


def _state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "?"
    return stat.rpartition(")")[2].split()[0]


# -- what belongs to the stack -----------------------------------------------------------------


@dataclass(frozen=True)
class StackIdentity:
    """How to recognise this stack's resources: its name prefix, else its environment tag."""

    name_prefix: str | None
    environment: str | None

    @classmethod
    def from_state(
        cls, raw_state: dict[str, Any], label: str, envs: Iterable[str]
    ) -> StackIdentity:
        """The `name_prefix`/`environment` outputs Terraform saved (it writes them as soon as
        the data sources are read, long before the first resource completes); the env name for
        the named envs, whose roots tag everything with it, when the state has none yet."""
        outputs = TerraformJSON(raw_state).outputs()
        prefix = outputs.get("name_prefix")
        environment = outputs.get("environment")
        if environment is None and label in set(envs):
            environment = label
        return cls(
            name_prefix=prefix if isinstance(prefix, str) and prefix else None,
            environment=environment if isinstance(environment, str) and environment else None,
        )

    @property
    def known(self) -> bool:
        return self.name_prefix is not None or self.environment is not None

    def describe(self) -> str:
        if self.name_prefix:
            return f"name prefix {self.name_prefix}"
        return f"tag {ENVIRONMENT_TAG}={self.environment}"


@dataclass(frozen=True)
class Orphan:
    """A resource of the stack that exists but that no state tracks."""

    kind: str
    id: str

    @property
    def name(self) -> str:
        """A short name: bucket, alias, role, table and alarm names; the last part of an ARN."""
        if self.kind in ("keys", "trails"):
            return self.id.rpartition("/")[2]
        if self.kind == "topics":
            return self.id.rpartition(":")[2]
        return self.id

    def describe(self) -> str:
        return f"{_KIND_NAMES[self.kind][0]} {self.name}"


def union(inventories: Iterable[Inventory]) -> Inventory:
    merged: dict[str, set[str]] = {}
    for inventory in inventories:
        for kind, items in inventory.kinds():
            merged.setdefault(kind, set()).update(items)
    return Inventory(**{kind: frozenset(items) for kind, items in merged.items()})


def find_orphans(
    client: ClientFactory,
    tracked: Inventory,
    identity: StackIdentity,
    *,
    exclude: Inventory | None = None,
    live: Inventory | None = None,
    in_flight_since: float | None = None,
) -> list[Orphan]:
    """Resources of this stack in the account the clients reach that `tracked` lacks.

    `exclude` never counts (other workspaces' resources, the state bucket). A resource belongs to
    the stack when its name (a key's description, an alias's target) carries the name prefix;
    when no prefix is known, when it carries the stack's environment tag. With
    `in_flight_since` (a Unix time; the local target only), an untagged bucket created since
    then counts too: the provider tags a bucket only after creating it, so a kill in between
    leaves one that neither its name (the prefix is in no state yet) nor a tag can prove ours.
    """
    if not identity.known:
        return []
    live = live if live is not None else live_inventory(client)
    candidates = live.minus(tracked)
    if exclude is not None:
        candidates = candidates.minus(exclude)
    owner = _Ownership(client, identity, in_flight_since)
    found = [
        Orphan(kind, item)
        for kind, items in candidates.kinds()
        if kind != "aliases"
        for item in sorted(items)
        if owner.owns(kind, item)
    ]
    orphan_keys = {orphan.id for orphan in found if orphan.kind == "keys"}
    found += [
        Orphan("aliases", alias)
        for alias in sorted(candidates.aliases)
        if owner.owns_alias(alias, orphan_keys)
    ]
    return sorted(found, key=lambda orphan: (_REMOVAL_ORDER.index(orphan.kind), orphan.id))


class _Ownership:
    def __init__(
        self, client: ClientFactory, identity: StackIdentity, in_flight_since: float | None
    ) -> None:
        self.client, self.identity = client, identity
        self.in_flight_since = in_flight_since
        self._alias_targets: dict[str, str] | None = None
        self._bucket_created: dict[str, float] | None = None

    def owns(self, kind: str, item: str) -> bool:
        prefix = self.identity.name_prefix
        if kind == "keys":
            return self._key_is_ours(item)
        if prefix is not None:
            return Orphan(kind, item).name.startswith(f"{prefix}-")
        tags = self._tags(kind, item)
        if kind == "buckets" and not tags and self._created_in_flight(item):
            return True
        return tags.get(ENVIRONMENT_TAG) == self.identity.environment

    def _created_in_flight(self, bucket: str) -> bool:
        if self.in_flight_since is None:
            return False
        if self._bucket_created is None:
            listed = self.client("s3").list_buckets().get("Buckets", [])
            self._bucket_created = {
                entry["Name"]: entry["CreationDate"].timestamp() for entry in listed
            }
        created = self._bucket_created.get(bucket)
        # Creation dates have a resolution of one second.
        return created is not None and created >= self.in_flight_since - 1

    def owns_alias(self, alias: str, orphan_keys: set[str]) -> bool:
        prefix = self.identity.name_prefix
        if prefix is not None and alias.startswith(f"alias/{prefix}-"):
            return True
        target = self._targets().get(alias)
        return target is not None and any(key.endswith(f"/{target}") for key in orphan_keys)

    def _key_is_ours(self, arn: str) -> bool:
        kms = self.client("kms")
        if self.identity.name_prefix is not None:
            description = kms.describe_key(KeyId=arn)["KeyMetadata"].get("Description", "")
            if self.identity.name_prefix in description.split():
                return True
        return (
            self.identity.environment is not None
            and self._tags("keys", arn).get(ENVIRONMENT_TAG) == self.identity.environment
        )

    def _targets(self) -> dict[str, str]:
        if self._alias_targets is None:
            kms = self.client("kms")
            self._alias_targets = {
                alias["AliasName"]: alias.get("TargetKeyId", "")
                for page in kms.get_paginator("list_aliases").paginate()
                for alias in page["Aliases"]
            }
        return self._alias_targets

    def _tags(self, kind: str, item: str) -> dict[str, str]:
        try:
            return _TAG_READERS[kind](self.client, item)
        except Exception:  # untagged, or gone meanwhile: not provably ours
            return {}


def _pairs(tags: Iterable[dict[str, str]], key: str = "Key", value: str = "Value") -> dict:
    return {tag[key]: tag.get(value, "") for tag in tags}


def _table_tags(client: ClientFactory, name: str) -> dict[str, str]:
    dynamodb = client("dynamodb")
    arn = dynamodb.describe_table(TableName=name)["Table"]["TableArn"]
    return _pairs(dynamodb.list_tags_of_resource(ResourceArn=arn).get("Tags", []))


def _alarm_tags(client: ClientFactory, name: str) -> dict[str, str]:
    cloudwatch = client("cloudwatch")
    alarms = cloudwatch.describe_alarms(AlarmNames=[name]).get("MetricAlarms", [])
    if not alarms:
        return {}
    arn = alarms[0]["AlarmArn"]
    return _pairs(cloudwatch.list_tags_for_resource(ResourceARN=arn).get("Tags", []))


def _trail_tags(client: ClientFactory, arn: str) -> dict[str, str]:
    tagged = client("cloudtrail").list_tags(ResourceIdList=[arn]).get("ResourceTagList", [])
    return _pairs(tagged[0].get("TagsList", [])) if tagged else {}


_TAG_READERS: dict[str, Callable[[ClientFactory, str], dict[str, str]]] = {
    "buckets": lambda c, name: _pairs(c("s3").get_bucket_tagging(Bucket=name)["TagSet"]),
    "keys": lambda c, arn: _pairs(
        c("kms").list_resource_tags(KeyId=arn).get("Tags", []), "TagKey", "TagValue"
    ),
    "roles": lambda c, name: _pairs(c("iam").list_role_tags(RoleName=name).get("Tags", [])),
    "tables": _table_tags,
    "trails": _trail_tags,
    "alarms": _alarm_tags,
    "topics": lambda c, arn: _pairs(
        c("sns").list_tags_for_resource(ResourceArn=arn).get("Tags", [])
    ),
}


# -- removing them (local target only) ---------------------------------------------------------


def remove_orphans(client: ClientFactory, orphans: Iterable[Orphan]) -> list[Orphan]:
    """Delete each orphan (keys: scheduled for deletion, the shortest window); return them."""
    removed = []
    for orphan in sorted(orphans, key=lambda o: _REMOVAL_ORDER.index(o.kind)):
        try:
            _REMOVERS[orphan.kind](client, orphan.id)
        except Exception as error:  # botocore's errors: one sentence, never a traceback
            done = f" (removed before it: {count_by_kind(removed)})" if removed else ""
            raise ObsctlError(
                f"Could not remove the {orphan.describe()} that the last apply left outside "
                f"its state{done}: {error}",
                hint="Remove it by hand (or run the command again), then go on.",
            ) from error
        removed.append(orphan)
    return removed


def _remove_bucket(client: ClientFactory, name: str) -> None:
    s3 = client("s3")
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
        objects = [
            {"Key": item["Key"], "VersionId": item["VersionId"]}
            for item in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        if objects:
            s3.delete_objects(Bucket=name, Delete={"Objects": objects, "Quiet": True})
    s3.delete_bucket(Bucket=name)


def _remove_role(client: ClientFactory, name: str) -> None:
    iam = client("iam")
    for policy in iam.list_role_policies(RoleName=name).get("PolicyNames", []):
        iam.delete_role_policy(RoleName=name, PolicyName=policy)
    for policy in iam.list_attached_role_policies(RoleName=name).get("AttachedPolicies", []):
        iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
    for profile in iam.list_instance_profiles_for_role(RoleName=name).get("InstanceProfiles", []):
        iam.remove_role_from_instance_profile(
            InstanceProfileName=profile["InstanceProfileName"], RoleName=name
        )
    iam.delete_role(RoleName=name)


def _remove_table(client: ClientFactory, name: str) -> None:
    dynamodb = client("dynamodb")
    table = dynamodb.describe_table(TableName=name)["Table"]
    if table.get("DeletionProtectionEnabled"):
        dynamodb.update_table(TableName=name, DeletionProtectionEnabled=False)
    dynamodb.delete_table(TableName=name)


_REMOVERS: dict[str, Callable[[ClientFactory, str], Any]] = {
    "aliases": lambda c, name: c("kms").delete_alias(AliasName=name),
    "alarms": lambda c, name: c("cloudwatch").delete_alarms(AlarmNames=[name]),
    "trails": lambda c, arn: c("cloudtrail").delete_trail(Name=arn),
    "topics": lambda c, arn: c("sns").delete_topic(TopicArn=arn),
    "tables": _remove_table,
    "roles": _remove_role,
    "buckets": _remove_bucket,
    # By key ID: moto 5.2 looks ARNs up in the wrong table (AWS accepts both).
    "keys": lambda c, arn: c("kms").schedule_key_deletion(
        KeyId=arn.rpartition("/")[2], PendingWindowInDays=7
    ),
}


# -- what to say ---------------------------------------------------------------------------------


def count_by_kind(orphans: Iterable[Orphan]) -> str:
    """Counts by kind: "3 KMS keys (scheduled for deletion), 2 buckets and 1 IAM role"."""
    counts: dict[str, int] = {}
    for orphan in orphans:
        counts[orphan.kind] = counts.get(orphan.kind, 0) + 1
    parts = []
    for kind in sorted(counts, key=_REMOVAL_ORDER.index):
        singular, plural = _KIND_NAMES[kind]
        text = f"{counts[kind]} {singular if counts[kind] == 1 else plural}"
        if kind == "keys":
            text += " (scheduled for deletion)"
        parts.append(text)
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def local_sentence(
    record: ApplyRecord,
    where: str,
    removed: list[Orphan],
    released_lock: str | None = None,
    restored_state: bool = False,
) -> str:
    """The one sentence the local target prints after reconciling."""
    head = f"The last apply of {where} {record.how_it_ended()} ({record.when()})"
    done = []
    if restored_state:
        done.append("put back the state Terraform had backed up (the kill cut its last write)")
    if released_lock:
        done.append(f"released the state lock it left behind (lock ID {released_lock})")
    if removed:
        done.append(
            f"removed the {count_by_kind(removed)} it had created outside its state: "
            + ", ".join(orphan.name for orphan in removed)
        )
    if not done:
        return f"{head}; it left nothing outside its state."
    return f"{head}; obsctl " + " and ".join(done) + "."


def adoption_commands(orphan: Orphan, root: Path) -> tuple[str, str]:
    """(import, delete) commands for one orphan on AWS."""
    importer = f"terraform -chdir={root} import 'ADDRESS' {_import_id(orphan)}"
    delete = {
        "buckets": f"aws s3 rb s3://{orphan.id} --force",
        "keys": f"aws kms schedule-key-deletion --key-id {orphan.id} --pending-window-in-days 30",
        "aliases": f"aws kms delete-alias --alias-name {orphan.id}",
        "roles": f"aws iam delete-role --role-name {orphan.id} (after deleting its policies)",
        "tables": f"aws dynamodb delete-table --table-name {orphan.id}",
        "trails": f"aws cloudtrail delete-trail --name {orphan.id}",
        "alarms": f"aws cloudwatch delete-alarms --alarm-names {orphan.id}",
        "topics": f"aws sns delete-topic --topic-arn {orphan.id}",
    }[orphan.kind]
    return importer, delete


def _import_id(orphan: Orphan) -> str:
    return orphan.name if orphan.kind == "keys" else orphan.id


def orphan_listing(orphans: list[Orphan], root: Path) -> str:
    lines = []
    for orphan in orphans:
        importer, delete = adoption_commands(orphan, root)
        lines += [f"  {orphan.describe()}", f"    adopt:  {importer}", f"    delete: {delete}"]
    return "\n".join(lines)


def accept_orphans_from_env(environ: dict[str, str] | None = None) -> bool:
    value = (environ if environ is not None else os.environ).get(ACCEPT_ORPHANS_ENV, "")
    return value.strip().lower() in ("1", "true", "yes")
