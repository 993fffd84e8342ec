"""Provider source: registry when reachable, else a filesystem mirror written as a CLI config."""

from __future__ import annotations

from pathlib import Path

import pytest

from obsctl.terraform import cliconfig


def _unpacked_mirror(root: Path, version: str = "5.100.0") -> Path:
    folder = root / "registry.terraform.io/hashicorp/aws" / version / "linux_amd64"
    folder.mkdir(parents=True)
    (folder / f"terraform-provider-aws_v{version}_x5").write_text("binary")
    return root


def test_mirror_versions_reads_unpacked_and_packed_layouts(tmp_path: Path) -> None:
    mirror = _unpacked_mirror(tmp_path / "m")
    packed = mirror / "registry.terraform.io/hashicorp/aws"
    (packed / "terraform-provider-aws_6.2.0_linux_amd64.zip").write_text("zip")
    assert cliconfig.mirror_versions(mirror) == ("5.100.0", "6.2.0")
    assert cliconfig.mirror_versions(tmp_path / "empty") == ()


def test_forced_mirror_wins_over_a_reachable_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirror = _unpacked_mirror(tmp_path / "m")
    monkeypatch.setenv(cliconfig.MIRROR_ENV, str(mirror))
    monkeypatch.setattr(cliconfig, "registry_reachable", lambda timeout=2.0: True)
    source = cliconfig.resolve_provider_source()
    assert source is not None and source.kind == "mirror" and source.mirror == mirror.resolve()


def test_reachable_registry_leaves_the_users_configuration_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(cliconfig.MIRROR_ENV, raising=False)
    monkeypatch.setattr(cliconfig, "registry_reachable", lambda timeout=2.0: True)
    source = cliconfig.resolve_provider_source()
    assert source == cliconfig.ProviderSource("registry")
    assert cliconfig.write_cli_config(tmp_path, source) is None
    assert list(tmp_path.iterdir()) == []


def test_unreachable_registry_without_mirror_gives_no_source(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(cliconfig.MIRROR_ENV, str(tmp_path / "nothing-here"))
    assert cliconfig.resolve_provider_source() is None


def test_cli_config_installs_aws_from_the_mirror_and_the_rest_directly(tmp_path: Path) -> None:
    mirror = _unpacked_mirror(tmp_path / "m")
    source = cliconfig.ProviderSource("mirror", mirror, ("5.100.0",))
    path = cliconfig.write_cli_config(tmp_path / "state", source)
    assert path == tmp_path / "state" / "terraform.rc"
    text = path.read_text()
    assert f'path    = "{mirror}"' in text
    assert 'include = ["registry.terraform.io/hashicorp/aws"]' in text
    assert 'exclude = ["registry.terraform.io/hashicorp/aws"]' in text
    assert cliconfig.write_cli_config(tmp_path / "state", source) == path


def test_a_mirror_in_terraforms_own_implied_folders_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(cliconfig.MIRROR_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "shared"))
    assert cliconfig.implied_mirrors() == [
        tmp_path / "home" / ".terraform.d" / "plugins",
        tmp_path / "data" / "terraform" / "plugins",
        tmp_path / "shared" / "terraform" / "plugins",
    ]
    monkeypatch.setattr(cliconfig, "add_on_mirrors", lambda: [])
    assert cliconfig.find_mirror() is None
    mirror = _unpacked_mirror(tmp_path / "shared" / "terraform" / "plugins")
    assert cliconfig.find_mirror() == mirror.resolve()


def test_a_mirror_baked_below_an_add_on_folder_is_found_after_terraforms_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(cliconfig.MIRROR_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "shared"))
    roots = (str(tmp_path / "opt"), str(tmp_path / "missing"))
    assert cliconfig.add_on_mirrors(roots) == []
    baked = _unpacked_mirror(tmp_path / "opt" / "tf-plugins")
    nested = _unpacked_mirror(tmp_path / "opt" / "hashicorp" / "plugins")
    assert cliconfig.add_on_mirrors(roots) == sorted([baked, nested])
    monkeypatch.setattr(cliconfig, "add_on_mirrors", lambda: [baked])
    assert cliconfig.find_mirror() == baked.resolve()
    implied = _unpacked_mirror(tmp_path / "home" / ".terraform.d" / "plugins")
    assert cliconfig.find_mirror() == implied.resolve(), "Terraform's own folders come first"


def test_the_search_names_only_terraforms_own_folders_and_no_machines_path() -> None:
    searched = [str(path) for path in cliconfig.implied_mirrors()]
    assert all(path.endswith(("/.terraform.d/plugins", "/terraform/plugins")) for path in searched)
    # The add-on folders are the FHS's, searched by pattern: no folder of one machine is named.
    assert cliconfig.ADD_ON_FOLDERS == ("/opt", "/srv", "/usr/local/lib", "/usr/local/share")
