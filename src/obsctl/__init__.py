"""obsctl: deploy, verify, wire and price the AWS foundation of a Grafana LGTM stack."""

__version__ = "0.1.0"
