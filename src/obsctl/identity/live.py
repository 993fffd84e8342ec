"""The trust policies and OIDC providers an IAM endpoint holds (AWS or the local AWS)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from obsctl.identity.trust import OidcProvider


def trust_policy(iam: Any, role_name: str) -> dict[str, Any] | None:
    """The role's trust policy as IAM stores it; None when the role does not exist."""
    try:
        document = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    except iam.exceptions.NoSuchEntityException:
        return None
    return json.loads(unquote(document)) if isinstance(document, str) else dict(document)


def oidc_providers(iam: Any) -> list[OidcProvider]:
    """Every IAM OIDC provider of the client's account, with its client IDs."""
    found = []
    for entry in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
        provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=entry["Arn"])
        found.append(OidcProvider(arn=entry["Arn"], client_ids=tuple(provider["ClientIDList"])))
    return found
