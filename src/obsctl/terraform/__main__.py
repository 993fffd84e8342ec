"""`python -m obsctl.terraform`: write the provider CLI config if needed and print its path."""

from __future__ import annotations

import sys

from obsctl.paths import state_dir
from obsctl.terraform.cliconfig import MIRROR_ENV, resolve_provider_source, write_cli_config


def main() -> int:
    source = resolve_provider_source()
    if source is None:
        print(
            "The Terraform registry is unreachable and no mirror of hashicorp/aws was found: "
            f"set ${MIRROR_ENV} to a filesystem mirror (`terraform providers mirror DIR` "
            "writes one), or put it in ~/.terraform.d/plugins.",
            file=sys.stderr,
        )
        return 1
    path = write_cli_config(state_dir(), source)
    print(path or "")
    print(f"provider source: {source.describe()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
