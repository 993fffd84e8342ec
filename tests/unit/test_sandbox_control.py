"""The local AWS's lifecycle: a port that stays put, one server however many commands start it,
one seeding, and a stop that does not discard deployed stacks without a word."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import psutil
import pytest

from obsctl.commands.base import Context
from obsctl.commands.sandbox import sandbox
from obsctl.errors import ObsctlError, UsageError
from obsctl.sandbox import Sandbox
from obsctl.sandbox.control import PORT_ENV
from obsctl.targets.local import SANDBOX_MARKER


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _servers(workdir: Path) -> list[psutil.Process]:
    """The local AWS servers started from `workdir` (their ready file lives there)."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        argv = process.info["cmdline"] or []
        if "obsctl.sandbox.server" in argv and str(workdir / "sandbox.ready") in argv:
            found.append(process)
    return found


def test_a_restart_keeps_the_port_so_the_exported_endpoint_stays_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PORT_ENV, raising=False)
    box = Sandbox(tmp_path)
    first = box.start()
    exported = box.environment()["AWS_ENDPOINT_URL"]
    box.stop()
    try:
        second = box.start()
        assert second.port == first.port and second.pid != first.pid
        assert box.environment()["AWS_ENDPOINT_URL"] == exported
    finally:
        box.stop()


def test_the_port_can_be_pinned_and_a_taken_one_is_a_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = _free_port()
    monkeypatch.setenv(PORT_ENV, str(port))
    box = Sandbox(tmp_path / "one")
    try:
        assert box.start().endpoint_url == f"http://127.0.0.1:{port}"
        with pytest.raises(ObsctlError, match=f"Port {port} on 127.0.0.1 is taken"):
            Sandbox(tmp_path / "two").start()
        with pytest.raises(UsageError, match=f"already runs on port {port}, not 1"):
            Sandbox(tmp_path / "one", port=1).start()
    finally:
        box.stop()
    monkeypatch.setenv(PORT_ENV, "http")
    with pytest.raises(UsageError, match=r"\$OBSCTL_SANDBOX_PORT is 'http', not a port number"):
        Sandbox(tmp_path / "three").start()


def test_sandbox_start_port_flag_pins_it(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "OBSCTL_STATE_DIR": str(tmp_path)}
    env.pop(PORT_ENV, None)
    command = [sys.executable, "-m", "obsctl", "sandbox"]
    started = subprocess.run(
        [*command, "start", "--port", str(port), "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    try:
        assert started.returncode == 0, started.stderr
        assert json.loads(started.stdout)["endpoint"] == f"http://127.0.0.1:{port}"
    finally:
        subprocess.run([*command, "stop", "--force"], env=env, capture_output=True, check=False)


def test_two_commands_starting_and_seeding_at_once_share_one_server(tmp_path: Path) -> None:
    """Two first `up`s at once: one server, seeded once, no error, nothing left running."""
    script = textwrap.dedent(
        f"""
        import json
        from pathlib import Path
        from obsctl.sandbox import Sandbox
        box = Sandbox(Path({str(tmp_path)!r}))
        info = box.start()
        cluster = box.seed_cluster("lgtm-race")
        print(json.dumps([info.pid, cluster.oidc_provider_arn]))
        """
    )
    env = {k: v for k, v in os.environ.items() if k != PORT_ENV}
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        for _ in range(2)
    ]
    try:
        answers = []
        for racer in racers:
            out, err = racer.communicate(timeout=120)
            assert racer.returncode == 0, err.decode()
            answers.append(json.loads(out))
        assert answers[0] == answers[1], "the same server, the same OIDC provider"
        assert [server.pid for server in _servers(tmp_path)] == [answers[0][0]]
        box = Sandbox(tmp_path)
        providers = box.client("iam").list_open_id_connect_providers()
        assert len(providers["OpenIDConnectProviderList"]) == 1
    finally:
        Sandbox(tmp_path).stop()
    assert _servers(tmp_path) == []


def test_stopping_with_stacks_deployed_asks_or_needs_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OBSCTL_STATE_DIR", str(tmp_path))
    box = Sandbox(tmp_path / "sandbox")
    info = box.start()
    marker = tmp_path / "targets" / "local" / "prod" / SANDBOX_MARKER
    marker.parent.mkdir(parents=True)
    marker.write_text(info.instance_id)
    try:
        with pytest.raises(UsageError) as refused:
            sandbox(Context(say=print), "stop")
        assert refused.value.message == (
            "Stopping the local AWS would discard prod (deployed in it, and nowhere else)."
        )
        assert "--force" in (refused.value.hint or "")
        declined = sandbox(Context(say=print, ask=lambda prompt: "n", interactive=True), "stop")
        assert declined.exit_code == 1 and box.running() is not None
        stopped = sandbox(Context(say=print), "stop", force=True)
        assert stopped.text() == "Local AWS stopped; prod went with it.\n"
        assert box.running() is None
    finally:
        box.stop()
