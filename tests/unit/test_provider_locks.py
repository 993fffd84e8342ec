"""Every root module a user initialises commits its provider lock (docs/provider-lock.md).

The locks pin one provider version with checksums for every platform HashiCorp publishes
(`zh:`) and the package hash of linux_amd64 (`h1:`); where a local provider mirror exists, its
package must hash to exactly that `h1:`, so the lock and the mirror cannot drift apart.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
from pathlib import Path

import hcl2
import pytest

from obsctl.terraform.cliconfig import AWS_PROVIDER, find_mirror

REPO = Path(__file__).resolve().parents[2]
ROOTS = sorted(
    [
        *REPO.glob("terraform/envs/*/versions.tf"),
        *REPO.glob("terraform/bootstrap/*/versions.tf"),
        *REPO.glob("examples/*/main.tf"),
    ]
)


def _lock(root: Path) -> dict:
    document = hcl2.loads((root / ".terraform.lock.hcl").read_text(encoding="utf-8"))
    (block,) = document["provider"]
    (address,) = [key for key in block if not key.startswith("__")]
    entry = block[address]
    return {
        "address": address.strip('"'),
        "version": entry["version"].strip('"'),
        "hashes": [item.strip('"') for item in entry["hashes"]],
    }


def _tracked(path: Path) -> bool:
    listed = subprocess.run(
        ["git", "ls-files", "--error-unmatch", str(path.relative_to(REPO))],
        cwd=REPO,
        capture_output=True,
    )
    return listed.returncode == 0


@pytest.mark.parametrize("root", [path.parent for path in ROOTS], ids=lambda p: p.name)
def test_each_root_commits_a_lock_with_checksums_for_every_platform(root: Path) -> None:
    lock_file = root / ".terraform.lock.hcl"
    assert lock_file.is_file() and _tracked(lock_file), f"{lock_file} is not committed"
    lock = _lock(root)
    assert lock["address"] == AWS_PROVIDER
    zh = [item for item in lock["hashes"] if item.startswith("zh:")]
    h1 = [item for item in lock["hashes"] if item.startswith("h1:")]
    # one zh: per zip HashiCorp publishes for the version (15 platforms for 5.100.0)
    assert len(zh) >= 12 and len(h1) >= 1, "a registry user on macOS needs the zh: checksums"


def test_every_root_locks_the_same_version_and_checksums() -> None:
    locks = {root.parent.name: _lock(root.parent) for root in ROOTS}
    assert len({(lock["version"], tuple(lock["hashes"])) for lock in locks.values()}) == 1


def _h1(package: Path) -> str:
    """Terraform's `h1:` package hash (Go's dirhash Hash1) of an unpacked provider folder."""
    summary = hashlib.sha256()
    for path in sorted(package.iterdir(), key=lambda item: item.name):
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        summary.update(f"{digest.hexdigest()}  {path.name}\n".encode())
    return "h1:" + base64.b64encode(summary.digest()).decode()


def test_the_local_provider_mirror_holds_exactly_the_locked_package() -> None:
    mirror = find_mirror()
    if mirror is None:
        pytest.skip("no local provider mirror: the registry serves the provider here")
    lock = _lock(ROOTS[0].parent)
    package = mirror / AWS_PROVIDER / lock["version"] / "linux_amd64"
    if not package.is_dir():
        pytest.skip(f"the mirror at {mirror} holds no unpacked linux_amd64 package")
    assert _h1(package) in lock["hashes"]
