"""Commands return Results and one renderer prints them: text for people, JSON with --json,
notes and errors on stderr. The command functions are called directly, without argparse."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from obsctl.cli.render import render, render_error, run_rendered
from obsctl.commands.base import Context, Result
from obsctl.commands.sandbox import sandbox
from obsctl.commands.status import DriftReport
from obsctl.errors import ExitCode, UsageError


@dataclass
class _Both(Result):
    exit_code: int = 0

    def text(self) -> str:
        return "two\nlines\n"

    def document(self) -> Any:
        return {"lines": 2}

    def notes(self) -> list[str]:
        return ["a note"]


def _render(result: Result, json_output: bool) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = render(result, json_output=json_output, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_text_goes_to_stdout_as_is_and_json_replaces_it_with_the_document() -> None:
    assert _render(_Both(), json_output=False) == (0, "two\nlines\n", "a note\n")
    code, out, err = _render(_Both(exit_code=3), json_output=True)
    assert (code, json.loads(out), err) == (3, {"lines": 2}, "a note\n")
    assert out == '{\n  "lines": 2\n}\n', "indented like every obsctl JSON document"


def test_a_result_without_a_document_prints_its_text_under_json_too() -> None:
    class Formatted(Result):  # verify and cost format their own JSON
        def text(self) -> str:
            return '{"already": "json"}\n'

    assert _render(Formatted(), json_output=True) == (0, '{"already": "json"}\n', "")


def test_errors_are_one_sentence_a_hint_and_the_detail_only_with_verbose() -> None:
    error = UsageError("Bad input.", hint="Do this.", detail="the whole story")
    quiet, loud = io.StringIO(), io.StringIO()
    assert render_error(error, verbose=False, stderr=quiet) == ExitCode.USAGE
    render_error(error, verbose=True, stderr=loud)
    assert quiet.getvalue() == "obsctl: Bad input.\n  hint: Do this.\n"
    assert loud.getvalue() == "obsctl: Bad input.\n  hint: Do this.\nthe whole story\n"


def test_run_rendered_turns_an_error_raised_by_the_command_into_its_exit_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def failing() -> Result:
        raise UsageError("No.")

    assert run_rendered(failing, json_output=False, verbose=False) == ExitCode.USAGE
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "obsctl: No.\n")


def test_drift_exit_code_and_both_forms_come_from_one_result() -> None:
    drifted = DriftReport("dev", "local", [{"address": "aws_s3_bucket.x", "action": "changed"}])
    code, out, _ = _render(drifted, json_output=False)
    assert code == ExitCode.DRIFT
    assert out.splitlines() == [
        "Drift: 1 resource(s) differ from the configuration:",
        "  changed aws_s3_bucket.x",
        "Run `obsctl up` to bring them back, or update the configuration.",
    ]
    code, out, _ = _render(DriftReport("dev", "local", []), json_output=True)
    assert code == 0 and json.loads(out) == {
        "env": "dev",
        "target": "local",
        "drift": False,
        "resources": [],
    }


def test_a_command_is_a_plain_function_that_never_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OBSCTL_STATE_DIR", str(tmp_path))
    said: list[str] = []
    result = sandbox(Context(say=said.append), "status")
    assert (result.exit_code, result.text(), result.document()) == (
        1,
        "Local AWS is not running.\n",
        {"running": False},
    )
    assert said == [] and capsys.readouterr() == ("", "")


def test_questions_without_a_terminal_are_refused_as_bad_input() -> None:
    with pytest.raises(UsageError, match="no terminal"):
        Context(say=print).confirm("Apply?")
    answers = iter(["yes"])
    assert Context(say=print, ask=lambda prompt: next(answers), interactive=True).confirm("Go?")
