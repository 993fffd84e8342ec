"""Tempo receives OTLP: the distributor's OTLP receiver listens for gRPC and HTTP on an address
other pods reach (the OpenTelemetry receivers bind to localhost when no endpoint is given), and,
in a chart render, a Service exposes both ports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from obsctl.values.conformance.findings import Finding
from obsctl.values.conformance.manifests import Manifests
from obsctl.values.naming import OTLP_PORTS, lookup

CHECK = "receivers"
_LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]")


def _listen(endpoint: Any) -> tuple[str, int] | None:
    """(host, port) of a receiver endpoint "host:port"; None when it is not one."""
    host, sep, port = str(endpoint).rpartition(":")
    if not sep or not port.isdigit():
        return None
    return host, int(port)


def receiver_findings(
    config: Mapping[str, Any] | None, source: str, manifests: Manifests | None = None
) -> list[Finding]:
    """`manifests`: the chart render holding `config`, to check the Services; None for a plain
    config file."""
    if config is None:
        return [Finding("tempo", CHECK, f"the render holds no {source}, the Tempo configuration.")]
    exposed = {port for svc in manifests.services for port in svc.ports} if manifests else None
    protocols = lookup(config, "distributor", "receivers", "otlp", "protocols", default={})
    findings: list[Finding] = []
    for protocol in OTLP_PORTS:
        where = f"{source} distributor.receivers.otlp.protocols.{protocol}"
        if not isinstance(protocols, Mapping) or protocol not in protocols:
            findings.append(
                Finding("tempo", CHECK, f"{where} is off: Tempo accepts no OTLP over {protocol}.")
            )
            continue
        endpoint = lookup(protocols[protocol] or {}, "endpoint")
        listen = _listen(endpoint) if endpoint is not None else None
        if listen is None or listen[0] in _LOOPBACK:
            findings.append(
                Finding(
                    "tempo",
                    CHECK,
                    f"{where}.endpoint is {endpoint or 'unset (localhost)'}: only the Tempo pod "
                    "itself could send to it; listen on 0.0.0.0.",
                )
            )
        elif exposed is not None and listen[1] not in exposed:
            findings.append(
                Finding(
                    "tempo",
                    CHECK,
                    f"{where} listens on port {listen[1]}, which no Service of the render exposes.",
                )
            )
    return findings
