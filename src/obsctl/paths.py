"""Where obsctl finds the Terraform roots and keeps its own working state."""

from __future__ import annotations

import os
from pathlib import Path

ENVS = ("dev", "prod")
STATE_DIR_ENV = "OBSCTL_STATE_DIR"
PROJECT_DIR_ENV = "OBSCTL_PROJECT_DIR"


def project_root(start: Path | None = None) -> Path:
    """$OBSCTL_PROJECT_DIR, else the nearest parent of `start` (or obsctl's own checkout)
    holding `terraform/envs`."""
    if override := os.environ.get(PROJECT_DIR_ENV):
        return Path(override).resolve()
    here = (start or Path.cwd()).resolve()
    # The checkout obsctl runs from (an editable install lives in <repo>/src/obsctl) comes last.
    for candidate in (here, *here.parents, Path(__file__).resolve().parents[2]):
        if (candidate / "terraform" / "envs").is_dir():
            return candidate
    return here


def state_dir(root: Path | None = None) -> Path:
    """The project-local `.obsctl/` folder (gitignored), or $OBSCTL_STATE_DIR."""
    if override := os.environ.get(STATE_DIR_ENV):
        return Path(override).resolve()
    return (root or project_root()) / ".obsctl"


def env_root(env: str, root: Path | None = None) -> Path:
    """The Terraform root module of a named environment."""
    return (root or project_root()) / "terraform" / "envs" / env


def shown(path: Path) -> str:
    """`path` as messages print it: relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)
