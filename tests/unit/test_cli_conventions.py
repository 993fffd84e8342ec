"""What users of terraform, aws, infracost and checkov expect from a CLI: "did you mean", examples
in every --help, --json everywhere, --quiet, colour only on a terminal, detailed exit codes,
Terraform's plan and warnings on request, and a sentence (never a traceback) for every failure."""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from obsctl.cli import COMMANDS, build_parser, main
from obsctl.cli.render import render, run_rendered
from obsctl.commands.base import Context, Result
from obsctl.commands.doctor import Check, DoctorReport
from obsctl.errors import ExitCode

FAKE = Path(__file__).with_name("fake_terraform.py")
VERSION = {"stdout": json.dumps({"terraform_version": "1.11.4"})}
WARNING = {
    "type": "diagnostic",
    "diagnostic": {
        "severity": "warning",
        "summary": "Argument is deprecated",
        "detail": "Use the aws_s3_bucket_lifecycle_configuration resource instead.",
        "address": "module.stack.aws_s3_bucket.this",
    },
}
CHANGE = {
    "type": "planned_change",
    "change": {
        "resource": {"addr": "aws_s3_bucket.this", "resource_type": "aws_s3_bucket"},
        "action": "create",
    },
}
SUMMARY = {"type": "change_summary", "changes": {"add": 1, "change": 0, "remove": 0}}


def _obsctl(*args: str, env: dict[str, str] | None = None, **kwargs):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [sys.executable, "-m", "obsctl", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        **kwargs,
    )


def _fake_terraform(tmp_path: Path, scenario: dict) -> dict[str, str]:
    """The environment that makes obsctl run the fake Terraform on the aws target."""
    launcher = tmp_path / "terraform"
    launcher.write_text(f'#!/bin/sh\nexec {sys.executable} {FAKE} "$@"\n')
    launcher.chmod(0o755)
    (tmp_path / "scenario.json").write_text(json.dumps({"version": VERSION, **scenario}))
    return {
        "OBSCTL_TERRAFORM": str(launcher),
        "FAKE_TF_SCENARIO": str(tmp_path / "scenario.json"),
        "OBSCTL_STATE_DIR": str(tmp_path / "state"),
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "example",
        "AWS_REGION": "us-east-1",
    }


# -- did you mean -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "suggestion"),
    [
        (["stauts"], "Did you mean 'status'?"),
        (["up", "--env", "prd"], "Did you mean 'prod'?"),
        (["verify", "--format", "sarf"], "Did you mean 'sarif'?"),
        (["up", "--jsn"], "did you mean --jsn -> --json?"),
        (["plan", "--detailed-exit-code"], "--detailed-exit-code -> --detailed-exitcode"),
    ],
)
def test_a_typo_gets_did_you_mean_and_exit_2(
    args: list[str], suggestion: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(args)
    assert stopped.value.code == ExitCode.USAGE
    assert suggestion in capsys.readouterr().err


def test_every_verb_shows_examples_in_its_help() -> None:
    parser = build_parser()
    for verb in COMMANDS:
        text = parser.verb_parser(verb).format_help()  # type: ignore[attr-defined]
        assert "examples:\n  " in text, verb
        assert f"obsctl {verb}" in text.split("examples:", 1)[1], verb


def test_every_verb_that_reports_offers_one_json_document() -> None:
    parser = build_parser()
    passthrough = {"tf", "completion"}  # Terraform's own output; a shell script
    for verb in COMMANDS:
        if verb in passthrough:
            continue
        options = {
            option: action
            for action in parser.verb_parser(verb)._actions  # type: ignore[attr-defined]
            for option in action.option_strings
        }
        formats = options.get("--format")
        assert "--json" in options or (formats and "json" in formats.choices), verb


# -- output: colour, quiet, a reader that goes away --------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_verdicts_are_coloured_on_a_terminal_unless_no_color(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = DoctorReport([Check("terraform", True, "1.11.4"), Check("provider", False, "none")])
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    terminal = _Terminal()
    render(report, json_output=False, stdout=terminal, stderr=io.StringIO())
    assert "\x1b[32mPASS\x1b[0m  terraform" in terminal.getvalue()
    assert "\x1b[31mFAIL\x1b[0m  provider" in terminal.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    plain = _Terminal()
    render(report, json_output=False, stdout=plain, stderr=io.StringIO())
    assert "\x1b[" not in plain.getvalue() and "PASS  terraform" in plain.getvalue()
    piped = io.StringIO()
    monkeypatch.delenv("NO_COLOR")
    render(report, json_output=False, stdout=piped, stderr=io.StringIO())
    assert "\x1b[" not in piped.getvalue()


def test_a_reader_that_goes_away_ends_the_output_without_a_traceback(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "obsctl", "status", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "OBSCTL_STATE_DIR": str(tmp_path)},
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # `| head -0`: nobody reads what obsctl prints
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr


# -- plan: Terraform's plan, its warnings, its detailed exit code --------------------------------


def test_plan_verbose_shows_terraforms_plan_and_summarises_warnings_in_one_line(
    tmp_path: Path,
) -> None:
    env = _fake_terraform(
        tmp_path,
        {
            "plan": {"exit": 2, "events": [WARNING, WARNING, CHANGE, SUMMARY]},
            "show": {"stdout": "  # aws_s3_bucket.this will be created\n  + resource ..."},
            # The plan JSON the limits check reads before `plan` reports.
            "show -json": {"stdout": json.dumps({"format_version": "1.2", "resource_changes": []})},
        },
    )
    shown = _obsctl("plan", "--target", "aws", "-v", env=env)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("  # aws_s3_bucket.this will be created\n")
    assert "Plan: 1 to add, 0 to change, 0 to replace, 0 to destroy." in shown.stdout
    quiet = _obsctl("plan", "--target", "aws", env=env)
    assert "will be created" not in quiet.stdout
    assert quiet.stderr.splitlines()[-1] == (
        "Terraform warned once: Argument is deprecated (1). --show-warnings prints them."
    )
    assert "Terraform is planning in " in quiet.stderr, "a progress line while it plans"
    listed = _obsctl("plan", "--target", "aws", "--show-warnings", env=env)
    assert (
        "Terraform warning: Argument is deprecated (module.stack.aws_s3_bucket.this)"
        in listed.stderr
    )
    assert "Use the aws_s3_bucket_lifecycle_configuration resource instead." in listed.stderr
    silent = _obsctl("plan", "--target", "aws", "--quiet", env=env)
    assert silent.stderr == "" and "Plan: 1 to add" in silent.stdout


def test_plan_detailed_exitcode_is_terraforms(tmp_path: Path) -> None:
    changes = _fake_terraform(tmp_path, {"plan": {"exit": 2, "events": [CHANGE, SUMMARY]}})
    assert _obsctl("plan", "--target", "aws", "--detailed-exitcode", env=changes).returncode == 2
    assert _obsctl("plan", "--target", "aws", env=changes).returncode == 0
    nothing = _fake_terraform(tmp_path, {"plan": {"exit": 0, "events": []}})
    assert _obsctl("plan", "--target", "aws", "--detailed-exitcode", env=nothing).returncode == 0
    failing = _fake_terraform(tmp_path, {"plan": {"exit": 1, "stderr": "Error: boom"}})
    assert _obsctl("plan", "--target", "aws", "--detailed-exitcode", env=failing).returncode == 1
    bad_input = _obsctl("plan", "--env", "staging", "--detailed-exitcode")
    assert bad_input.returncode == 1, "2 means changes, so bad input is a failure"


# -- failures as sentences ---------------------------------------------------------------------


def test_a_folder_obsctl_cannot_write_is_one_sentence_naming_obsctl_state_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "checkout" / ".obsctl"
    monkeypatch.setenv("OBSCTL_STATE_DIR", str(state))

    def read_only(self: Path, *args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr(Path, "mkdir", read_only)
    assert main(["sandbox", "start"]) == ExitCode.FAILED
    err = capsys.readouterr().err
    assert err.splitlines()[0].startswith("obsctl: Cannot write ")
    assert "Read-only file system." in err and "$OBSCTL_STATE_DIR" in err
    assert "Traceback" not in err


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux's read-only /sys")
def test_a_read_only_state_folder_is_a_sentence_from_the_console_script() -> None:
    result = _obsctl("sandbox", "start", env={"OBSCTL_STATE_DIR": "/sys/obsctl-cannot-write"})
    assert result.returncode == 1
    assert result.stderr.startswith("obsctl: Cannot write /sys/obsctl-cannot-write")
    assert "Traceback" not in result.stderr


def test_an_unexpected_error_is_a_sentence_and_the_traceback_waits_for_verbose(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def broken() -> Result:
        raise KeyError("contract_version")

    assert run_rendered(broken, json_output=False, verbose=False) == ExitCode.FAILED
    err = capsys.readouterr().err
    assert err.startswith("obsctl: Unexpected error: KeyError: 'contract_version'")
    assert "This is a bug in obsctl" in err and "Traceback" not in err
    run_rendered(broken, json_output=False, verbose=True)
    assert "Traceback" in capsys.readouterr().err


def test_aws_out_of_reach_is_a_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    from botocore.exceptions import EndpointConnectionError

    def unreachable() -> Result:
        raise EndpointConnectionError(endpoint_url="https://sts.amazonaws.com/")

    assert run_rendered(unreachable, json_output=False, verbose=False) == ExitCode.FAILED
    err = capsys.readouterr().err
    assert err.splitlines()[0] == (
        "obsctl: AWS could not be reached: Could not connect to the endpoint URL: "
        '"https://sts.amazonaws.com/"'
    )


def test_quiet_drops_progress_and_notices_but_keeps_the_result(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from obsctl.cli.render import context

    ctx = context(json_output=False, verbose=False, quiet=True)
    ctx.say("Started the local AWS at ...")
    assert ctx.activity().stream is None
    assert capsys.readouterr() == ("", "")
    loud = context(json_output=False, verbose=False)
    loud.say("a notice")
    assert capsys.readouterr().out == "a notice\n"


def test_context_keeps_each_terraform_warning_once() -> None:
    from obsctl.terraform.errors import Diagnostic

    ctx = Context(say=print)
    warning = Diagnostic.from_event(WARNING)
    ctx.warn(warning)
    ctx.warn(Diagnostic.from_event(WARNING))  # the same warning from the apply after the plan
    assert ctx.warnings == [warning]


# -- a missing dependency ----------------------------------------------------------------------

_BLOCKED = """
import sys
sys.modules[sys.argv[1]] = None  # `import NAME` now raises ModuleNotFoundError, as if uninstalled
from obsctl.cli import main
sys.exit(main(sys.argv[2:]))
"""


def test_a_missing_dependency_is_a_sentence_that_says_how_to_reinstall(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def without_policy_sentry() -> Result:
        raise ModuleNotFoundError("No module named 'policy_sentry'", name="policy_sentry")

    assert run_rendered(without_policy_sentry, json_output=False, verbose=False) == 1
    first, hint = capsys.readouterr().err.splitlines()[:2]
    assert first == (
        "obsctl: obsctl cannot run: policy_sentry, a Python package it needs, is not installed "
        f"in {sys.executable}."
    )
    assert "make demo" in hint and "pip install -e ." in hint
    assert "bug in obsctl" not in hint


@pytest.mark.parametrize("missing", ["psutil", "yaml", "boto3"])
def test_every_verb_parses_with_nothing_but_the_standard_library(missing: str) -> None:
    """A dependency the parser imported would fail before obsctl could say a sentence."""
    for verb in ("--help", *(f"{name} --help" for name in COMMANDS)):
        result = subprocess.run(
            [sys.executable, "-c", _BLOCKED, missing, *verb.split()],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, (verb, result.stderr)


def test_a_verb_whose_dependency_is_missing_says_so_in_one_sentence(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _BLOCKED, "psutil", "sandbox", "status"],
        capture_output=True,
        text=True,
        env={**os.environ, "OBSCTL_STATE_DIR": str(tmp_path)},
        timeout=120,
    )
    assert result.returncode == ExitCode.FAILED
    assert result.stderr.startswith(
        "obsctl: obsctl cannot run: psutil, a Python package it needs, is not installed"
    ), result.stderr
    assert "Traceback" not in result.stderr
