"""Talking to AWS: the one client factory (real AWS or the local AWS)."""
