"""Bad usage as one sentence, exit code 2, and "did you mean" for a typo'd verb, option or value.

Like git, terraform and the AWS CLI: `obsctl stauts` suggests `status`, `obsctl up --jsn`
suggests `--json`, `obsctl up --env prd` suggests `prod`.
"""

from __future__ import annotations

import argparse
import difflib
import re
from typing import NoReturn

from obsctl.errors import ExitCode

_INVALID_CHOICE = re.compile(r"invalid choice: '(?P<given>[^']*)' \(choose from (?P<choices>.*)\)")


def closest(word: str, candidates: list[str]) -> str | None:
    """The candidate `word` most likely misspells, if any is close enough."""
    found = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return found[0] if found else None


class SuggestingParser(argparse.ArgumentParser):
    """argparse that reports bad usage as one sentence, a suggestion and exit code 2."""

    def error(self, message: str) -> NoReturn:
        suggestion = _suggest_choice(message)
        said = f"obsctl: error: {message}\n"
        if suggestion and "did you mean" not in message:
            said += f"Did you mean {suggestion!r}?\n"
        self.exit(ExitCode.USAGE, f"{said}(see `{self.prog} --help`)\n")

    def verb_parser(self, verb: str) -> argparse.ArgumentParser:
        """The parser of one verb."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                return action.choices[verb]  # type: ignore[no-any-return]
        return self


def unrecognized(extras: list[str], parser: argparse.ArgumentParser) -> str:
    """ "unrecognized arguments: ..." with the option each typo'd one most likely meant."""
    options = [option for action in parser._actions for option in action.option_strings]
    message = f"unrecognized arguments: {' '.join(extras)}"
    guesses = [
        f"{extra} -> {guess}"
        for extra in extras
        if extra.startswith("-") and (guess := closest(extra.split("=", 1)[0], options))
    ]
    if guesses:
        message += f" (did you mean {', '.join(guesses)}?)"
    return message


def _suggest_choice(message: str) -> str | None:
    match = _INVALID_CHOICE.search(message)
    if match is None:
        return None
    choices = re.findall(r"'([^']*)'", match["choices"])
    return closest(match["given"], choices)
