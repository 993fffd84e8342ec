"""What shell completion offers, read from the parser itself: verbs, their options, and the
values an option or argument accepts (so a new flag completes without anyone listing it)."""

from __future__ import annotations

import argparse

from obsctl.commands.completion import VerbWords


def verbs_and_options(parser: argparse.ArgumentParser) -> dict[str, VerbWords]:
    """Each verb's options (with their choices) and the choices of its positional argument."""
    verbs: dict[str, VerbWords] = {"": _words(parser)}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                verbs[name] = _words(sub)
    return verbs


def _words(parser: argparse.ArgumentParser) -> VerbWords:
    options: dict[str, tuple[str, ...] | None] = {}
    positional: tuple[str, ...] = ()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue
        choices = tuple(str(choice) for choice in action.choices) if action.choices else None
        if not action.option_strings:
            positional = choices or positional
            continue
        takes_value = action.nargs != 0
        for option in action.option_strings:
            options[option] = (choices or None) if takes_value else ()
    return VerbWords(options=options, positional=positional)
