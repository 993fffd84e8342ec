"""`obsctl down` refuses before it destroys anything when the destroy would stop halfway."""

from __future__ import annotations

from typing import Any

import pytest

from obsctl.commands import down as down_module
from obsctl.commands.base import Context, Selection
from obsctl.errors import ObsctlError
from obsctl.model import Stack


class _Session:
    """A session on the aws target whose plan must never be reached."""

    sandbox = None

    def init(self) -> None:
        return None

    def plan(self, **kwargs: Any) -> Any:
        raise AssertionError("the destroy was planned although it had to be refused")


def test_on_aws_protected_tables_are_refused_before_anything_is_planned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stack = Stack(contract=None, region="eu-west-1", region_source="the state")
    monkeypatch.setattr(Selection, "open", lambda self, **options: _Session())
    monkeypatch.setattr(down_module, "_deployed_stack", lambda session: stack)
    monkeypatch.setattr(
        down_module, "_protected_tables", lambda session, found: ["lgtm-prod-1-loki-index"]
    )
    with pytest.raises(ObsctlError) as refused:
        down_module.down(Context(say=print), Selection(env="prod", target="aws"), force=True)
    assert refused.value.message == (
        "Refusing to destroy prod: its DynamoDB table(s) lgtm-prod-1-loki-index have deletion "
        "protection on, so the destroy would remove everything else and then fail on them."
    )
    assert "--no-deletion-protection-enabled" in (refused.value.hint or "")
