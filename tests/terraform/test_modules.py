"""`terraform test` of every module (mock providers, offline); `terraform validate` of each root."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from obsctl.terraform.cliconfig import resolve_provider_source, write_cli_config

REPO = Path(__file__).resolve().parents[2]
MODULES = sorted({p.parent.parent for p in (REPO / "terraform").glob("*/*/tests/*.tftest.hcl")})
ROOTS = sorted(p.parent for p in (REPO / "terraform" / "envs").glob("*/versions.tf")) + sorted(
    p.parent for p in (REPO / "examples").glob("*/main.tf")
)  # the bootstrap root validates inside its own terraform test runs


@pytest.fixture(scope="session")
def terraform_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    source = resolve_provider_source()
    assert source is not None, "neither the Terraform registry nor a hashicorp/aws mirror"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    config = write_cli_config(tmp_path_factory.mktemp("tfcli"), source)
    if config is not None:
        env["TF_CLI_CONFIG_FILE"] = str(config)
    env["CHECKPOINT_DISABLE"] = "1"
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["terraform", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=1200
    )


@pytest.mark.slow
@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_module_terraform_tests_pass(module: Path, terraform_env: dict, tmp_path: Path) -> None:
    env = {**terraform_env, "TF_DATA_DIR": str(tmp_path / "data")}
    init = _run(["init", "-backend=false", "-input=false", "-no-color"], module, env)
    assert init.returncode == 0, init.stdout + init.stderr
    result = _run(["test", "-no-color"], module, env)
    summary = re.search(r"(Success|Failure)! (\d+) passed, (\d+) failed", result.stdout)
    assert result.returncode == 0 and summary, result.stdout[-6000:] + result.stderr
    assert int(summary.group(2)) > 0, f"no terraform test run in {module.name}"


@pytest.mark.slow
@pytest.mark.parametrize("root", ROOTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_root_module_validates(root: Path, terraform_env: dict, tmp_path: Path) -> None:
    env = {**terraform_env, "TF_DATA_DIR": str(tmp_path / "data")}
    init = _run(["init", "-backend=false", "-input=false", "-no-color"], root, env)
    assert init.returncode == 0, init.stdout + init.stderr
    result = _run(["validate", "-no-color"], root, env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_env_root_exposes_the_same_contract_outputs() -> None:
    names = {}
    for env in ("dev", "prod"):
        text = (REPO / "terraform" / "envs" / env / "outputs.tf").read_text()
        names[env] = re.findall(r'^output "([a-z_]+)"', text, re.MULTILINE)
    stack = re.findall(
        r'^output "([a-z_]+)"',
        (REPO / "terraform" / "modules" / "stack" / "outputs.tf").read_text(),
        re.MULTILINE,
    )
    assert names["dev"] == names["prod"] == stack
