"""Conformance: the generated values rendered by the real charts, judged on the manifests."""
