"""Fixtures that apply the env roots to the local AWS and hand out the live stack."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from obsctl.model.contract import StackContract
from obsctl.sandbox import Sandbox
from obsctl.workspace.session import Session, open_session


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def _terraform_is_installed() -> None:
    if shutil.which("terraform") is None:
        pytest.fail("integration tests need terraform on PATH (they are never skipped)")


@dataclass
class LiveStack:
    """An env applied to the sandbox: its session, contract and AWS clients."""

    session: Session
    contract: StackContract

    @property
    def sandbox(self) -> Sandbox:
        assert self.session.sandbox is not None
        return self.session.sandbox

    def client(self, service: str) -> Any:
        return self.sandbox.client(service)


def apply_env(env: str, variables: list[str] | None = None) -> LiveStack:
    session = open_session(env, "local", variables=variables or [])
    session.init()
    session.apply(session.plan())
    stack = LiveStack(session=session, contract=session.contract())
    session.close()  # the tests run obsctl commands of their own on this workspace
    return stack


@pytest.fixture(scope="session")
def dev_stack() -> Iterator[LiveStack]:
    yield apply_env("dev")


@pytest.fixture(scope="session")
def prod_stack() -> Iterator[LiveStack]:
    yield apply_env("prod", ["create_loki_tables=true", "create_mimir_tables=true"])


@pytest.fixture(scope="session", autouse=True)
def _stop_sandbox() -> Iterator[None]:
    yield
    from obsctl.paths import state_dir

    Sandbox(state_dir() / "sandbox").stop()
