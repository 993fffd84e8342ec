"""What the last plan or apply of a workspace was made from, so that a reader of the plan
(`obsctl cost`) can use it instead of planning again.

`plan` and `up` record, next to the workspace's plan file, a fingerprint of everything a plan
depends on that obsctl can see: the configuration files of the root and of every module
`terraform init` installed (its modules.json), the lock file, the variables (`--var`, the
contents of `--var-file`s, TF_VAR_* in the environment) and the Terraform binary. A reader
computes the fingerprint again; when it matches, the saved plan (or, after an apply that made
no plan file, the state that apply wrote) describes what a new plan would: the same resources
with the same settings. Anything else (no record, another configuration or variables, a plan
file overwritten by a destroy or refresh-only plan) means planning again.

What the fingerprint cannot see: a change made with plain `terraform apply` in the same
workspace with other variables, or a module fetched from a registry that changed in place.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from obsctl.workspace.session import Session

RECORD = "last-plan.json"
DOCUMENT = "last-plan.document.json"
RECORD_VERSION = 1
CONFIG_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")


@dataclass(frozen=True)
class Reuse:
    """What a reader may use: the saved plan file, or (after an apply without one) the state."""

    kind: str  # "plan" or "state"
    plan_file: Path | None = None
    document: dict[str, Any] | None = None  # the plan's JSON, when a reader already cached it


def _files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        path for path in folder.iterdir() if path.is_file() and path.name.endswith(suffixes)
    )


def _module_dirs(session: Session) -> list[Path] | None:
    """The folders of the root and of every module `terraform init` installed, or None when
    there is no record of them (not initialised)."""
    root = session.workspace.root
    data_dir = session.workspace.data_dir or root / ".terraform"
    manifest = data_dir / "modules" / "modules.json"
    try:
        modules = json.loads(manifest.read_text(encoding="utf-8")).get("Modules") or []
    except (OSError, ValueError):
        return None
    folders = {root.resolve()}
    for module in modules:
        folder = module.get("Dir")
        if isinstance(folder, str) and folder:
            folders.add((root / folder).resolve())
    return sorted(folders)


def fingerprint(session: Session) -> str | None:
    """The digest of what a plan of this session depends on, or None when it cannot be known."""
    folders = _module_dirs(session)
    if folders is None:
        return None
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("binary", str(session.binary.path).encode())
    for argument in session.variables:
        add("argument", argument.encode())
        if argument.startswith("-var-file="):
            path = Path(argument.removeprefix("-var-file="))
            add("var-file", path.read_bytes() if path.is_file() else b"(missing)")
    for name in sorted(session.terraform.env):
        if name.startswith("TF_VAR_"):
            add(f"env {name}", session.terraform.env[name].encode())
    lock = session.workspace.root / ".terraform.lock.hcl"
    if lock.is_file():
        add("lock", lock.read_bytes())
    for folder in folders:
        for path in _files(folder, CONFIG_SUFFIXES):
            add(str(path), path.read_bytes())
    return digest.hexdigest()


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _record_path(session: Session) -> Path:
    return session.workspace.work_dir / RECORD


def _document_path(session: Session) -> Path:
    return session.workspace.work_dir / DOCUMENT


def forget(session: Session) -> None:
    for path in (_record_path(session), _document_path(session)):
        path.unlink(missing_ok=True)


def _write(session: Session, record: dict[str, Any]) -> None:
    path = _record_path(session)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"version": RECORD_VERSION, **record}), encoding="utf-8")
    temporary.replace(path)


def _read(session: Session) -> dict[str, Any] | None:
    try:
        record = json.loads(_record_path(session).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("version") == RECORD_VERSION else None


def record_plan(session: Session, plan_file: Path) -> None:
    """After a normal plan (not destroy, not refresh-only) into `plan_file`."""
    forget(session)
    found = fingerprint(session)
    if found is not None:
        _write(session, {"fingerprint": found, "plan_sha256": _sha256(plan_file), "applied": False})


def record_apply(session: Session, plan_file: Path | None) -> None:
    """After a successful apply: of the saved plan `plan_file` (kept usable when it is the one
    recorded), or of a plan made inside the apply (None: the state is then what to read)."""
    record = _read(session)
    planned = (
        plan_file is not None
        and record is not None
        and record.get("plan_sha256") is not None
        and record.get("plan_sha256") == _sha256(plan_file)
    )
    if plan_file is not None and not planned:
        forget(session)  # a destroy plan, or one made with other inputs
        return
    found = fingerprint(session)
    if found is None:
        forget(session)
        return
    keep = record.get("plan_sha256") if planned and record is not None else None
    _write(session, {"fingerprint": found, "plan_sha256": keep, "applied": True})
    if keep is None:
        _document_path(session).unlink(missing_ok=True)


def reusable(session: Session) -> Reuse | None:
    """What a reader can use instead of planning, or None (plan again)."""
    record = _read(session)
    if record is None or record.get("fingerprint") != fingerprint(session):
        return None
    plan_file = session.workspace.plan_path
    sha = record.get("plan_sha256")
    if sha is not None and sha == _sha256(plan_file):
        return Reuse("plan", plan_file, _cached(session, sha))
    if record.get("applied"):
        return Reuse("state")
    return None


def _cached(session: Session, sha: str) -> dict[str, Any] | None:
    try:
        cached = json.loads(_document_path(session).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(cached, dict) and cached.get("plan_sha256") == sha:
        document = cached.get("document")
        return document if isinstance(document, dict) else None
    return None


def remember_document(session: Session, document: dict[str, Any]) -> None:
    """Cache the JSON of the recorded plan file (`terraform show -json` costs a provider start)."""
    record = _read(session)
    sha = record.get("plan_sha256") if record is not None else None
    if sha is None or sha != _sha256(session.workspace.plan_path):
        return
    path = _document_path(session)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"plan_sha256": sha, "document": document}), encoding="utf-8")
    temporary.replace(path)
