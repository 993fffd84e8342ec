"""Find the Terraform (or OpenTofu) executable and check its version."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from obsctl.errors import ObsctlError

BINARY_ENV = "OBSCTL_TERRAFORM"
# The env roots use S3-native state locking (use_lockfile), which needs Terraform 1.10.
MINIMUM_VERSION = (1, 10, 0)


@dataclass(frozen=True)
class TerraformBinary:
    path: Path
    version: tuple[int, int, int]
    flavour: str  # "terraform" or "tofu"

    @property
    def version_text(self) -> str:
        return ".".join(str(part) for part in self.version)


def find_binary(explicit: str | None = None) -> Path:
    """--binary, else $OBSCTL_TERRAFORM, else `terraform` on PATH, else `tofu` on PATH."""
    requested = explicit or os.environ.get(BINARY_ENV)
    if requested:
        found = shutil.which(requested)
        if found is None:
            raise ObsctlError(
                f"The Terraform binary {requested!r} was not found.",
                hint=f"Give a path or a name on PATH with --binary or ${BINARY_ENV}.",
            )
        return Path(found)
    for name in ("terraform", "tofu"):
        if found := shutil.which(name):
            return Path(found)
    raise ObsctlError(
        "Terraform was not found on PATH.",
        hint="Install Terraform >= 1.10 (or OpenTofu) or point $OBSCTL_TERRAFORM at it.",
    )


def parse_version(text: str) -> tuple[int, int, int]:
    core = text.lstrip("v").split("-")[0]
    parts = [int(part) for part in core.split(".")[:3]]
    return ([*parts, 0, 0, 0])[0], ([*parts, 0, 0])[1], ([*parts, 0])[2]


def inspect_binary(path: Path) -> TerraformBinary:
    """Run `<binary> version -json` and return what it is."""
    try:
        completed = subprocess.run(
            [str(path), "version", "-json"], capture_output=True, text=True, timeout=30, check=True
        )
        version = json.loads(completed.stdout)["terraform_version"]
    except (OSError, subprocess.SubprocessError, ValueError, KeyError) as error:
        raise ObsctlError(f"{path} did not report a Terraform version ({error}).") from error
    flavour = "tofu" if path.name.startswith("tofu") else "terraform"
    return TerraformBinary(path=path, version=parse_version(version), flavour=flavour)


def require_binary(explicit: str | None = None) -> TerraformBinary:
    """The binary to use, refusing versions older than the roots need."""
    binary = inspect_binary(find_binary(explicit))
    if binary.version < MINIMUM_VERSION:
        floor = ".".join(str(part) for part in MINIMUM_VERSION)
        raise ObsctlError(
            f"{binary.path} is Terraform {binary.version_text}; the env roots need {floor}+.",
            hint="S3-native state locking (use_lockfile) arrived in Terraform 1.10.",
        )
    return binary
