"""Which root module obsctl runs, against which AWS, and where Terraform keeps its state for it.

- target `aws`: the root's own working directory and backend, exactly what plain
  `terraform init/plan/apply` in that folder uses, so the tool and the CLI share one state.
- target `local`: a private data dir and state under `.obsctl/targets/local/<label>/`, so a
  sandbox state can never be mistaken for (or overwrite) the real one. Roots with an S3 backend
  keep their state in a bucket inside the sandbox, as they would on AWS.

The root's backend, outputs and variables are read from its `.tf` files with python-hcl2, the
way Terraform reads them: a block in a comment or a heredoc is no block.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from obsctl.errors import UsageError
from obsctl.model.contract import REQUIRED_OUTPUTS
from obsctl.paths import ENVS, env_root, state_dir

TARGETS = ("local", "aws")
LOCAL_STATE_BUCKET = "obsctl-local-tfstate"


@dataclass(frozen=True)
class Workspace:
    """A root module bound to a target."""

    root: Path
    label: str
    target: str
    backend: str
    variables: frozenset[str]

    @property
    def where(self) -> str:
        """How messages name this workspace: "prod on the local target"."""
        return f"{self.label} on the {self.target} target"

    @property
    def selector(self) -> str:
        """The flag that names this root on the command line: --env NAME or --dir ROOT."""
        if self.label in ENVS and self.root.parent.name == "envs":
            return f"--env {self.label}"
        return f"--dir {self.root}"

    @property
    def flags(self) -> str:
        """The flags that name this workspace: "--env prod --target local"."""
        return f"{self.selector} --target {self.target}"

    @property
    def work_dir(self) -> Path:
        return state_dir() / "targets" / self.target / self.label

    @property
    def data_dir(self) -> Path | None:
        """TF_DATA_DIR for the local target; None keeps the root's own `.terraform`."""
        return self.work_dir / "data" if self.target == "local" else None

    @property
    def local_state_path(self) -> Path:
        return self.work_dir / "terraform.tfstate"

    @property
    def plan_path(self) -> Path:
        return self.work_dir / "last.tfplan"

    @property
    def cluster_name(self) -> str:
        """The EKS cluster the sandbox seeds for this root."""
        return f"lgtm-{self.label}"

    def backend_config(self, region: str) -> dict[str, str]:
        """-backend-config values; on the local target they point at sandbox-held state."""
        if self.target != "local":
            return {}
        if self.backend == "local":
            return {"path": str(self.local_state_path)}
        return {
            "bucket": LOCAL_STATE_BUCKET,
            "key": f"{self.label}/terraform.tfstate",
            "region": region,
            "use_lockfile": "true",
            "encrypt": "true",
        }


@dataclass(frozen=True)
class RootBlocks:
    """What obsctl needs to know of a root module's configuration."""

    backends: frozenset[str]
    outputs: frozenset[str]
    variables: frozenset[str]

    @classmethod
    def read(cls, root: Path) -> RootBlocks:
        """The blocks of every `.tf` file in `root`; a file Terraform could not parse either is
        bad input, named with the line python-hcl2 stopped at."""
        import hcl2  # about 0.1 s with its grammar: only verbs that run a root pay it

        backends: set[str] = set()
        outputs: set[str] = set()
        variables: set[str] = set()
        for path in sorted(root.glob("*.tf")):
            try:
                document = hcl2.loads(path.read_text(encoding="utf-8"))
            except Exception as error:  # lark's parse errors have no common base worth naming
                line = getattr(error, "line", None)
                where = f" (line {line})" if isinstance(line, int) and line > 0 else ""
                raise UsageError(f"{path} is not valid Terraform configuration{where}.") from None
            for block in document.get("terraform", []):
                for backend in block.get("backend", []):
                    backends |= _labels(backend)
            for block in document.get("output", []):
                outputs |= _labels(block)
            for block in document.get("variable", []):
                variables |= _labels(block)
        return cls(frozenset(backends), frozenset(outputs), frozenset(variables))


def _labels(block: Any) -> set[str]:
    """The labels of labelled blocks as python-hcl2 returns them (quoted since version 7)."""
    if not isinstance(block, dict):
        return set()
    return {key.strip('"') for key in block if not key.startswith("__")}


def resolve(env: str | None, target: str, root_dir: Path | None) -> Workspace:
    """Bind `--env` or `--dir` to `--target`, refusing roots obsctl cannot operate."""
    if target not in TARGETS:
        raise UsageError(f"Unknown target {target!r}; use one of: {', '.join(TARGETS)}.")
    if root_dir is not None:
        root = root_dir.expanduser().resolve()
        label = f"{root.name}-{hashlib.sha256(str(root).encode()).hexdigest()[:8]}"
    else:
        name = env or "dev"
        if name not in ENVS:
            raise UsageError(f"Unknown env {name!r}; use one of: {', '.join(ENVS)}.")
        root, label = env_root(name), name
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder, so it cannot be a Terraform root module.")
    if not any(root.glob("*.tf")):
        raise UsageError(f"{root} holds no .tf files, so it is not a Terraform root module.")
    blocks = RootBlocks.read(root)
    missing = [name for name in REQUIRED_OUTPUTS if name not in blocks.outputs]
    if missing:
        raise UsageError(
            f"{root} does not expose the stack contract (missing outputs: {', '.join(missing)}).",
            hint="Re-export the outputs of terraform/modules/stack (terraform/envs/README.md).",
        )
    backends = set(blocks.backends)
    backend = backends.pop() if backends else "none"
    if target == "local" and backend not in ("local", "s3"):
        raise UsageError(
            f"{root} uses the {backend!r} backend; on the local target obsctl runs roots with "
            "a local or s3 backend.",
            hint='Declare backend "local" {} or backend "s3" {} in the root.',
        )
    return Workspace(
        root=root, label=label, target=target, backend=backend, variables=blocks.variables
    )
