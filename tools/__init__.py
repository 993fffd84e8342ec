"""Development tools that are not shipped with obsctl: upstream key extraction and the key-path
allowlists the values tests check against. Run them from the repository root, e.g.

    .venv/bin/python -m tools.extract_upstream_keys --check
"""
