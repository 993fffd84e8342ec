"""Unit tests run a fake Terraform, yet obsctl resolves a provider source before it starts any
Terraform. On a machine with neither the registry nor a mirror (offline, nothing baked), they get
an empty stand-in mirror, so the unit layer does not depend on how the machine installs
hashicorp/aws (the integration layer does, and says so)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from obsctl.terraform.cliconfig import AWS_PROVIDER, MIRROR_ENV, resolve_provider_source


@pytest.fixture(scope="session", autouse=True)
def a_provider_source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    if resolve_provider_source() is not None:
        yield
        return
    stand_in: Path = tmp_path_factory.mktemp("provider-mirror")
    (stand_in / AWS_PROVIDER / "5.100.0").mkdir(parents=True)  # a version, no package
    os.environ[MIRROR_ENV] = str(stand_in)
    yield
    os.environ.pop(MIRROR_ENV, None)
