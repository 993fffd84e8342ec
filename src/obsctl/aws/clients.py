"""The one way obsctl makes AWS clients.

Real AWS: boto3's normal credential chain (AWS_PROFILE, SSO, instance roles...) in the stack's
region, with adaptive retries. The local AWS: its endpoint and its fixed test credentials, and
nothing from the environment. Either way a `ClientFactory` hands out one client per service.
boto3 is imported when the first client is made, so `obsctl --help` stays fast.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

from obsctl.errors import ObsctlError


class ClientFactory(Protocol):
    """Returns a boto3-compatible client for a service name ("s3", "kms", "iam", "dynamodb")."""

    def __call__(self, service: str) -> Any: ...


def in_region(clients: ClientFactory, region: str) -> ClientFactory:
    """`clients` in another region when the factory can change region (CachedClients), else
    `clients` itself (a test's recorded answers, say)."""
    move = getattr(clients, "in_region", None)
    return move(region) if callable(move) else clients


class CachedClients:
    """A ClientFactory that creates each client once (boto3 clients are thread-safe)."""

    def __init__(
        self,
        make: Callable[[str], Any],
        regional: Callable[[str], CachedClients] | None = None,
    ) -> None:
        self._make = make
        self._regional = regional
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}
        self._regions: dict[str, CachedClients] = {}

    def in_region(self, region: str) -> CachedClients:
        """The same clients in another region (a cross-region replica's); itself when the
        factory was made without a way to change region."""
        if self._regional is None:
            return self
        with self._lock:
            if region not in self._regions:
                self._regions[region] = self._regional(region)
            return self._regions[region]

    def __call__(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self._make(service)
            return self._clients[service]


def boto3_clients(region: str | None, profile: str | None = None) -> CachedClients:
    """Clients for real AWS through the normal credential chain, in `region` (None: the
    chain's own region setting)."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(profile_name=profile, region_name=region)
    config = Config(retries={"mode": "adaptive", "max_attempts": 8}, max_pool_connections=32)
    return CachedClients(
        lambda service: session.client(service, config=config),
        regional=lambda other: boto3_clients(other, profile),
    )


def endpoint_client(
    service: str,
    endpoint_url: str,
    region: str,
    access_key: str,
    secret_key: str,
    session_token: str | None = None,
    config: Any = None,
) -> Any:
    """A client for an AWS-compatible endpoint with its own static credentials."""
    import boto3

    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        aws_session_token=session_token,
        config=config,
    )


def find_credentials(profile: str | None = None) -> Any | None:
    """What the credential chain finds (None: nothing); a broken configuration is one sentence."""
    import boto3

    try:
        return boto3.Session(profile_name=profile).get_credentials()
    except Exception as error:  # botocore raises ProfileNotFound and friends
        raise ObsctlError(f"AWS credentials could not be loaded ({error}).") from error
