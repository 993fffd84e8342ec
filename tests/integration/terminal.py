"""A reader's terminal for the guide tests: one bash session, commands typed as the guide prints
them, from the repository root, with only what a reader's shell would hold.

The environment is the test run's minus what the guides must set themselves: obsctl's
virtualenv is not on PATH (the guides say `source .venv/bin/activate` first) and no AWS_*,
TF_VAR_* or PREFIX is set (the guides point the AWS CLI at the local AWS and export PREFIX).
What stays is the machine's setup the README names (the provider mirror, Terraform itself) and
the test run's own OBSCTL_STATE_DIR, which keeps each test's obsctl state apart.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import threading
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_STRIPPED = re.compile(r"^(AWS_|TF_VAR_|PREFIX$|VIRTUAL_ENV$)")


def reader_environment(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not _STRIPPED.match(key)}
    venv_bin = str(REPO / ".venv" / "bin")
    env["PATH"] = os.pathsep.join(
        part for part in env.get("PATH", "").split(os.pathsep) if part.rstrip("/") != venv_bin
    )
    env.update(extra)
    return env


def commands(block: str) -> list[str]:
    """The commands of a shell block: continuation lines joined, comments and blanks dropped."""
    found: list[str] = []
    pending = ""
    for line in block.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        found.append(pending + line)
        pending = ""
    return found


class Terminal:
    """One bash session; each command's exit status and output are read back one at a time."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=REPO,
            env=env,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self._send("set -o pipefail")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _send(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def type(self, command: str, timeout: float = 900) -> tuple[int, str]:
        """Run one command as typed; its exit status and what it printed."""
        marker = f"__done_{uuid.uuid4().hex}__"
        self._send(f"{command}\necho {marker} $?")
        said: list[str] = []
        while True:
            line = self._lines.get(timeout=timeout)
            if line is None:
                return -1, "".join(said) + "\n(the shell exited)"
            if line.startswith(marker):
                return int(line.split()[1]), "".join(said)
            said.append(line)

    def run(self, block: str) -> None:
        """Every command of `block` in turn; AssertionError at the first that fails."""
        for command in commands(block):
            status, said = self.type(command)
            assert status == 0, f"`{command}` exited {status}:\n{said}"

    def close(self) -> None:
        if self.process.poll() is None:
            self._send("exit")
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
