"""Print the shell completion script for bash or zsh.

  eval "$(obsctl completion bash)"     # in ~/.bashrc
  eval "$(obsctl completion zsh)"      # in ~/.zshrc, after compinit

It completes verbs, each verb's options, and the values of options that take one of a few
(--env, --target, --format...); other values complete as file names. The zsh script runs the
bash one through zsh's bashcompinit, as Terraform's own completion does.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from obsctl.commands.base import Context, Result

SHELLS = ("bash", "zsh")


@dataclass(frozen=True)
class VerbWords:
    """What completes after a verb: its options (each with its choices; None: a free value;
    (): a switch) and the choices of its positional argument."""

    options: dict[str, tuple[str, ...] | None]
    positional: tuple[str, ...] = ()


@dataclass
class CompletionScript(Result):
    script: str

    def text(self) -> str:
        return self.script


def completion(ctx: Context, shell: str, verbs: dict[str, VerbWords]) -> CompletionScript:
    """`verbs` maps each verb (and "" for the words before one) to what completes after it."""
    script = bash_script(verbs)
    if shell == "zsh":
        script = (
            '# obsctl completion for zsh: eval "$(obsctl completion zsh)" after compinit\n'
            "autoload -U +X bashcompinit && bashcompinit\n" + script
        )
    return CompletionScript(script)


def bash_script(verbs: dict[str, VerbWords]) -> str:
    top = verbs[""]
    names = [verb for verb in verbs if verb]
    cases = "".join(_verb_case(verb, verbs[verb]) for verb in names)
    first = " ".join(shlex.quote(word) for word in [*names, *top.options])
    return f"""# obsctl completion for bash: eval "$(obsctl completion bash)"
_obsctl() {{
    local cur prev verb i
    cur="${{COMP_WORDS[COMP_CWORD]}}"
    prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    verb=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${{COMP_WORDS[i]}}" in
            -*) ;;
            *) verb="${{COMP_WORDS[i]}}"; break ;;
        esac
    done
    COMPREPLY=()
    if [[ -z "$verb" ]]; then
        COMPREPLY=($(compgen -W {shlex.quote(first)} -- "$cur"))
        return 0
    fi
    case "$verb" in
{cases}    esac
    return 0
}}
complete -o default -F _obsctl obsctl
"""


def _verb_case(verb: str, words: VerbWords) -> str:
    value_cases = ""
    free = [option for option, choices in words.options.items() if choices is None]
    for option, choices in words.options.items():
        if choices:
            listed = shlex.quote(" ".join(choices))
            value_cases += (
                f'                {option}) COMPREPLY=($(compgen -W {listed} -- "$cur")); '
                "return 0 ;;\n"
            )
    if free:
        value_cases += f"                {'|'.join(free)}) return 0 ;;\n"
    offered = " ".join([*words.options, *words.positional])
    return (
        f"        {verb})\n"
        f'            case "$prev" in\n{value_cases}            esac\n'
        f'            COMPREPLY=($(compgen -W {shlex.quote(offered)} -- "$cur")) ;;\n'
    )
