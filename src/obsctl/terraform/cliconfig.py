"""Point Terraform at a local provider mirror when the public registry is out of reach.

Users with registry access get their own Terraform configuration untouched. Where the registry
cannot be reached (air-gapped machines, CI without internet), obsctl finds a filesystem mirror
holding `hashicorp/aws` and writes a CLI configuration file that installs the provider from it;
commands obsctl runs get `TF_CLI_CONFIG_FILE` set to that file.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

REGISTRY_HOST = "registry.terraform.io"
AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"
MIRROR_ENV = "OBSCTL_PROVIDER_MIRROR"


def implied_mirrors() -> list[Path]:
    """The folders where Terraform itself looks for providers when no `provider_installation`
    block says otherwise (its "implied local mirror directories" on Linux and macOS):
    ~/.terraform.d/plugins, then terraform/plugins under $XDG_DATA_HOME and each of
    $XDG_DATA_DIRS, with the XDG defaults. A provider placed there serves plain `terraform`
    too, which is why obsctl searches these and no folder of its own choosing."""
    home = Path.home()
    data_home = os.environ.get("XDG_DATA_HOME") or str(home / ".local" / "share")
    data_dirs = (os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share").split(":")
    return [
        home / ".terraform.d" / "plugins",
        *(Path(folder) / "terraform" / "plugins" for folder in (data_home, *data_dirs) if folder),
    ]


@dataclass(frozen=True)
class ProviderSource:
    """How Terraform will obtain the AWS provider."""

    kind: str  # "registry" or "mirror"
    mirror: Path | None = None
    versions: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "registry":
            return f"public registry ({REGISTRY_HOST})"
        return f"filesystem mirror {self.mirror} (hashicorp/aws {', '.join(self.versions)})"


def registry_reachable(timeout: float = 2.0) -> bool:
    """True when a TCP connection to the public registry opens within `timeout`."""
    try:
        with socket.create_connection((REGISTRY_HOST, 443), timeout=timeout):
            return True
    except OSError:
        return False


def mirror_versions(mirror: Path) -> tuple[str, ...]:
    """The hashicorp/aws versions a filesystem mirror holds (unpacked or packed layout)."""
    provider_dir = mirror / AWS_PROVIDER
    if not provider_dir.is_dir():
        return ()
    versions = {child.name for child in provider_dir.iterdir() if child.is_dir()}
    versions |= {
        archive.name.split("_")[1]
        for archive in provider_dir.glob("terraform-provider-aws_*.zip")
        if archive.name.count("_") >= 3
    }
    return tuple(sorted(versions))


# Where software outside the distribution's packages goes (the FHS's add-on folders): machines and
# CI images that bake a provider mirror put it one or two levels below one of these.
ADD_ON_FOLDERS = ("/opt", "/srv", "/usr/local/lib", "/usr/local/share")


def add_on_mirrors(roots: tuple[str, ...] = ADD_ON_FOLDERS) -> list[Path]:
    """Mirrors one or two levels below the add-on folders (`<root>/*/registry.terraform.io/...`,
    `<root>/*/*/registry.terraform.io/...`), sorted so the choice never depends on the disk."""
    found: set[Path] = set()
    for root in roots:
        for pattern in (f"*/{AWS_PROVIDER}", f"*/*/{AWS_PROVIDER}"):
            try:
                found |= {hit.parents[2] for hit in Path(root).glob(pattern) if hit.is_dir()}
            except OSError:  # an unreadable folder is not a mirror
                continue
    return sorted(found)


def find_mirror() -> Path | None:
    """$OBSCTL_PROVIDER_MIRROR alone when set; else the first of Terraform's implied mirror
    folders, then of the add-on folders' mirrors, that holds hashicorp/aws."""
    configured = os.environ.get(MIRROR_ENV)
    if configured:
        candidates = [Path(configured).expanduser()]
    else:
        candidates = [*implied_mirrors(), *add_on_mirrors()]
    for path in candidates:
        if mirror_versions(path):
            return path.resolve()
    return None


def resolve_provider_source(check_registry: bool = True) -> ProviderSource | None:
    """The registry when reachable (unless a mirror is forced), else a mirror, else None."""
    forced = os.environ.get(MIRROR_ENV)
    if not forced and check_registry and registry_reachable():
        return ProviderSource("registry")
    mirror = find_mirror()
    if mirror is None:
        return None
    return ProviderSource("mirror", mirror, mirror_versions(mirror))


def render_cli_config(mirror: Path) -> str:
    """A CLI configuration installing hashicorp/aws from `mirror` and anything else directly."""
    return (
        "# Written by obsctl: the public registry is unreachable from this machine.\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror}"\n'
        f'    include = ["{AWS_PROVIDER}"]\n'
        "  }\n"
        "  direct {\n"
        f'    exclude = ["{AWS_PROVIDER}"]\n'
        "  }\n"
        "}\n"
    )


def write_cli_config(state_dir: Path, source: ProviderSource) -> Path | None:
    """Write the mirror configuration under `state_dir`; None when the registry serves."""
    if source.kind != "mirror" or source.mirror is None:
        return None
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "terraform.rc"
    text = render_cli_config(source.mirror)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path
