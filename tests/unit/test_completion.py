"""`obsctl completion bash|zsh`: verbs, options and their values complete, read from the parser."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest


def _script(shell: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "obsctl", "completion", shell],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def _complete(script: str, *words: str) -> list[str]:
    """What bash offers for the command line `words` (the last one is being typed)."""
    line = " ".join(f"'{word}'" for word in words)
    program = (
        f"{script}\nCOMP_WORDS=({line}); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n"
        '_obsctl; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True)
    return done.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_verbs_options_and_their_values() -> None:
    script = _script("bash")
    assert _complete(script, "obsctl", "st") == ["status"]
    assert _complete(script, "obsctl", "-q", "pl") == ["plan"]
    assert _complete(script, "obsctl", "up", "--ta") == ["--target"]
    assert _complete(script, "obsctl", "up", "--env", "") == ["dev", "prod"]
    assert _complete(script, "obsctl", "verify", "--format", "s") == ["sarif"]
    assert _complete(script, "obsctl", "sandbox", "s") == ["start", "stop", "status"]
    assert _complete(script, "obsctl", "plan", "--var", "") == [], "a free value: file names"
    assert "--detailed-exitcode" in _complete(script, "obsctl", "plan", "--d")


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_registers_the_completion() -> None:
    program = (
        "autoload -U compinit; compinit -u -D; "
        f"eval {_quoted(_script('zsh'))}; print -r -- $_comps[obsctl]"
    )
    done = subprocess.run(["zsh", "-fc", program], capture_output=True, text=True, check=True)
    assert "_obsctl" in done.stdout


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"
