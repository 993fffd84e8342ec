"""`obsctl cost` uses the plan `plan` or `up` last made when nothing it depends on changed
(workspace/plan_record.py), and plans otherwise; --var and --var-file change what it plans."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from obsctl.cli import main
from obsctl.commands.base import Selection
from obsctl.errors import ExitCode, ObsctlError
from obsctl.workspace import plan_record

PLANS = Path(__file__).resolve().parents[2] / "fixtures" / "plan"
PROD = json.loads((PLANS / "prod.json").read_text())


@dataclass
class FakeWorkspace:
    root: Path
    work_dir: Path
    where: str = "prod on the local target"

    @property
    def data_dir(self) -> Path:
        return self.work_dir / "data"

    @property
    def plan_path(self) -> Path:
        return self.work_dir / "last.tfplan"


@dataclass
class FakeBinary:
    path: Path = Path("/usr/bin/terraform")


@dataclass
class FakeTerraform:
    session: FakeSession
    env: dict[str, str] = field(default_factory=dict)

    def show_plan(self, plan_file: Path) -> dict[str, Any]:
        self.session.calls.append("show")
        return PROD

    def state_pull(self) -> dict[str, Any]:
        self.session.calls.append("state pull")
        raise ObsctlError("no state here")


class FakeSession:
    """What `cost` and `plan_record` use of a Session; `plan()` records as Session.plan does."""

    def __init__(self, root: Path, work_dir: Path, variables: list[str] | None = None) -> None:
        self.workspace = FakeWorkspace(root, work_dir)
        self.binary = FakeBinary()
        self.variables = variables or []
        self.terraform = FakeTerraform(self)
        self.notices: list[str] = []
        self.calls: list[str] = []

    def lock_workspace(self) -> None:
        self.calls.append("lock")

    def init(self) -> None:
        self.calls.append("init")

    def connect(self) -> None:
        self.calls.append("connect")

    def plan(self) -> Any:
        self.calls.append("plan")
        self.workspace.plan_path.write_bytes(b"a saved plan")
        plan_record.record_plan(self, self.workspace.plan_path)  # type: ignore[arg-type]
        return self.workspace.plan_path

    def plan_json(self, plan: Any) -> dict[str, Any]:
        return self.terraform.show_plan(plan)


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Path]:
    root, work = tmp_path / "root", tmp_path / "work"
    (root / "modules" / "s3").mkdir(parents=True)
    (root / "main.tf").write_text('module "s3" { source = "./modules/s3" }\n')
    (root / "modules" / "s3" / "main.tf").write_text('resource "aws_s3_bucket" "this" {}\n')
    (work / "data" / "modules").mkdir(parents=True)
    manifest = {"Modules": [{"Key": "", "Dir": "."}, {"Key": "s3", "Dir": "modules/s3"}]}
    (work / "data" / "modules" / "modules.json").write_text(json.dumps(manifest))
    return root, work


def run_cost(
    monkeypatch: pytest.MonkeyPatch, session: FakeSession, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    monkeypatch.setattr(Selection, "open", lambda self, **_: session)
    code = main(["cost", "--env", "prod", "--json"])
    out, err = capsys.readouterr()
    return code, out, err


def test_cost_plans_once_then_reuses_the_saved_plan_without_terraform(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], workspace: Any
) -> None:
    session = FakeSession(*workspace)
    code, out, _ = run_cost(monkeypatch, session, capsys)
    assert code == ExitCode.OK and json.loads(out)["environment"] == "prod"
    assert session.calls == ["lock", "init", "plan", "show"]
    session.calls.clear()
    code, again, err = run_cost(monkeypatch, session, capsys)
    assert code == ExitCode.OK and json.loads(again) == json.loads(out)
    assert session.calls == ["lock"]  # the plan's JSON was kept with the record
    assert "Pricing the plan last made for prod on the local target" in err  # stderr: --json


@pytest.mark.parametrize(
    "change",
    ["module file", "root file", "tfvars", "variables", "plan file", "TF_VAR"],
)
def test_any_change_to_what_the_plan_depends_on_means_planning_again(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    workspace: Any,
    change: str,
) -> None:
    root, work = workspace
    session = FakeSession(root, work)
    run_cost(monkeypatch, session, capsys)
    session.calls.clear()
    if change == "module file":
        (root / "modules" / "s3" / "main.tf").write_text("# changed\n")
    elif change == "root file":
        (root / "extra.tf").write_text('variable "x" {}\n')
    elif change == "tfvars":
        (root / "terraform.tfvars").write_text('x = "y"\n')
    elif change == "variables":
        session.variables = ["-var=retention_days=30"]
    elif change == "plan file":  # overwritten by a destroy or refresh-only plan
        session.workspace.plan_path.write_bytes(b"another plan")
    else:
        session.terraform.env["TF_VAR_x"] = "y"
    run_cost(monkeypatch, session, capsys)
    assert session.calls == ["lock", "init", "plan", "show"]


def test_a_var_file_is_part_of_the_fingerprint_by_content(workspace: Any, tmp_path: Path) -> None:
    values = tmp_path / "prod.tfvars"
    values.write_text("a = 1\n")
    session = FakeSession(*workspace, variables=[f"-var-file={values}"])
    before = plan_record.fingerprint(session)  # type: ignore[arg-type]
    values.write_text("a = 2\n")
    assert plan_record.fingerprint(session) != before  # type: ignore[arg-type]


def test_after_an_apply_without_a_plan_file_the_state_is_read_or_else_a_plan_made(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], workspace: Any
) -> None:
    session = FakeSession(*workspace)
    plan_record.record_apply(session, None)  # type: ignore[arg-type]  # `up` on the local target
    assert plan_record.reusable(session).kind == "state"  # type: ignore[arg-type,union-attr]
    code, _, _ = run_cost(monkeypatch, session, capsys)
    # The state could not be read (the fake has none): cost planned instead of failing.
    assert code == ExitCode.OK
    assert session.calls == ["lock", "connect", "state pull", "init", "plan", "show"]


def test_a_destroy_plan_applied_forgets_the_record(workspace: Any) -> None:
    session = FakeSession(*workspace)
    session.plan()
    assert plan_record.reusable(session) is not None  # type: ignore[arg-type]
    session.workspace.plan_path.write_bytes(b"a destroy plan")  # plan --destroy, then apply
    plan_record.record_apply(session, session.workspace.plan_path)  # type: ignore[arg-type]
    assert plan_record.reusable(session) is None  # type: ignore[arg-type]


def test_var_and_var_file_reach_terraform_and_a_missing_file_is_one_sentence(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["cost", "--env", "dev", "--var-file", str(tmp_path / "nope.tfvars")])
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE and "--var-file" in err and "no such file" in err
    code = main(["cost", "--plan-json", str(PLANS / "dev.json"), "--var", "a=b"])
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE and "with --plan-json the plan is already made" in err


def test_var_files_go_to_terraform_before_the_vars_so_a_var_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from obsctl.workspace.session import open_session

    monkeypatch.setenv("OBSCTL_STATE_DIR", str(tmp_path))
    values = tmp_path / "prod.tfvars"
    values.write_text('name_prefix = "from-file"\n')
    session = open_session("dev", "local", variables=["name_prefix=from-var"], var_files=[values])
    assert session.variables[-2:] == [f"-var-file={values}", "-var=name_prefix=from-var"]
    assert main(["plan", "--var-file", str(tmp_path / "missing.tfvars")]) == ExitCode.USAGE
    assert "--var-file" in capsys.readouterr().err
