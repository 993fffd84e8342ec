"""Helm values (or plain app configuration) wiring Mimir, Loki, Tempo and Grafana to the stack.

The public surface, for `obsctl values`, `obsctl up` and the live checks:

- `render_values(contract, options) -> {app: tree}`: the final trees, checked.
- `write_values(contract, options, out_dir) -> [paths]`: the same, written with a README.
- `check_identity(contract, options) -> [IdentityProblem]`: service accounts vs role trust.
- `expected_bindings(contract, options) -> [Binding]`: what a live check should find.

Modules: options (choices and charts), naming (the charts' name rules), merge, s3, one module
per chart (mimir, loki, tempo, grafana), identity, render, writer, readme (the README written
beside the values); conformance/ checks what the real charts render from the values
(`obsctl values --check` and tests/conformance).
"""

from obsctl.values.clusters import write_values
from obsctl.values.identity import Binding, IdentityProblem
from obsctl.values.options import CHARTS, ChartSpec, ValuesOptions
from obsctl.values.render import (
    check_identity,
    expected_bindings,
    render,
    render_checked,
    render_values,
)
from obsctl.values.writer import write_rendered

__all__ = [
    "CHARTS",
    "Binding",
    "ChartSpec",
    "IdentityProblem",
    "ValuesOptions",
    "check_identity",
    "expected_bindings",
    "render",
    "render_checked",
    "render_values",
    "write_rendered",
    "write_values",
]
