"""Resolving --env/--dir and --target into a workspace, refusing roots obsctl cannot run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from obsctl.errors import UsageError
from obsctl.workspace import resolve

REPO = Path(__file__).resolve().parents[2]


def test_env_roots_resolve_with_their_backends() -> None:
    dev = resolve("dev", "local", None)
    prod = resolve("prod", "local", None)
    assert (dev.root, dev.backend, dev.label) == (REPO / "terraform/envs/dev", "local", "dev")
    assert prod.backend == "s3" and "eks_cluster_name" in prod.variables
    assert dev.backend_config("us-east-1") == {"path": str(dev.local_state_path)}
    assert prod.backend_config("us-east-1")["use_lockfile"] == "true"


def test_local_target_keeps_its_own_data_dir_and_aws_target_uses_the_root(tmp_path: Path) -> None:
    local, aws = resolve("dev", "local", None), resolve("dev", "aws", None)
    assert local.data_dir is not None and ".obsctl" not in str(REPO / "terraform")
    assert str(local.data_dir).startswith(str(local.work_dir))
    assert aws.data_dir is None and aws.backend_config("us-east-1") == {}


def test_unknown_env_and_target_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="Unknown env 'staging'"):
        resolve("staging", "local", None)
    with pytest.raises(UsageError, match="Unknown target 'azure'"):
        resolve("dev", "azure", None)


def test_dir_that_is_not_a_root_module_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is not a folder"):
        resolve(None, "local", tmp_path / "missing")
    with pytest.raises(UsageError, match=r"holds no \.tf files"):
        resolve(None, "local", tmp_path)


def test_dir_without_the_stack_contract_names_the_missing_outputs(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('output "region" { value = "x" }\n')
    with pytest.raises(UsageError, match=r"missing outputs: contract_version, environment"):
        resolve(None, "local", tmp_path)


def test_dir_with_the_contract_resolves_and_unsupported_backend_is_refused(tmp_path: Path) -> None:
    for name in ("versions.tf", "outputs.tf", "variables.tf"):
        shutil.copy(REPO / "terraform/envs/dev" / name, tmp_path / name)
    workspace = resolve(None, "local", tmp_path)
    assert workspace.backend == "local" and workspace.label.startswith(tmp_path.name + "-")
    text = (tmp_path / "versions.tf").read_text().replace('backend "local" {}', 'backend "gcs" {}')
    (tmp_path / "versions.tf").write_text(text)
    with pytest.raises(UsageError, match="uses the 'gcs' backend"):
        resolve(None, "local", tmp_path)
    assert resolve(None, "aws", tmp_path).backend == "gcs"


def test_blocks_are_read_as_terraform_reads_them_not_line_by_line(tmp_path: Path) -> None:
    for name in ("outputs.tf", "variables.tf"):
        shutil.copy(REPO / "terraform/envs/dev" / name, tmp_path / name)
    (tmp_path / "versions.tf").write_text(
        "terraform {\n"
        '  # backend "gcs" {} was the old one\n'
        "  /*\n"
        '  backend "remote" {}\n'
        "  */\n"
        '  backend "s3" {}\n'
        "}\n"
        'variable "note" {\n'
        "  default = <<-EOT\n"
        '    variable "not_a_variable" {}\n'
        "  EOT\n"
        "}\n"
    )
    workspace = resolve(None, "local", tmp_path)
    assert workspace.backend == "s3"
    assert "note" in workspace.variables and "not_a_variable" not in workspace.variables


def test_a_root_terraform_could_not_parse_is_one_sentence(tmp_path: Path) -> None:
    shutil.copy(REPO / "terraform/envs/dev/outputs.tf", tmp_path / "outputs.tf")
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = \n')
    with pytest.raises(UsageError, match=r"main\.tf is not valid Terraform configuration"):
        resolve(None, "local", tmp_path)
