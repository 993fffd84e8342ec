"""The verifier's only contact with AWS: calls that return an answer or the error code AWS gave.

A missing configuration is an error code in S3's API (NoSuchLifecycleConfiguration,
NoSuchBucketPolicy, ...), not an empty answer; `Answer` keeps that code so the checks can tell
"not configured" from "could not read".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from obsctl.aws.clients import CachedClients, ClientFactory, boto3_clients

__all__ = ["Answer", "CachedClients", "ClientFactory", "boto3_clients", "call", "call_all_pages"]


# Error codes meaning "the resource itself does not exist".
MISSING_RESOURCE_CODES = frozenset(
    {
        "NoSuchBucket",  # S3
        "NotFoundException",  # KMS
        "NoSuchEntity",  # IAM
        "ResourceNotFoundException",  # DynamoDB describe_table
        "TableNotFoundException",  # DynamoDB describe_continuous_backups
        "TrailNotFoundException",  # CloudTrail
        "NotFound",  # SNS get_topic_attributes
    }
)


@dataclass(frozen=True)
class Answer:
    """One API answer: the response (without ResponseMetadata) or AWS's error code."""

    data: Any = None
    error: str | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def missing_resource(self) -> bool:
        return self.error in MISSING_RESOURCE_CODES

    def describe_error(self) -> str:
        return f"{self.error}: {self.message}" if self.message else str(self.error)


def call(client: Any, operation: str, **params: Any) -> Answer:
    """`client.<operation>(**params)` as an Answer; AWS errors become codes, never exceptions."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        response = getattr(client, operation)(**params)
    except ClientError as error:
        details = error.response.get("Error", {})
        return Answer(error=str(details.get("Code", "Unknown")), message=details.get("Message", ""))
    except BotoCoreError as error:  # endpoint unreachable, credentials, ...
        return Answer(error=type(error).__name__, message=str(error))
    response = dict(response)
    response.pop("ResponseMetadata", None)
    return Answer(response)


# How each paginated list call marks its pages: (request token, response token, truncated flag).
_PAGING = {
    "list_role_policies": ("Marker", "Marker", "IsTruncated"),
    "list_attached_role_policies": ("Marker", "Marker", "IsTruncated"),
    "list_aliases": ("Marker", "NextMarker", "Truncated"),
    "list_resource_tags": ("Marker", "NextMarker", "Truncated"),
    "list_tags_of_resource": ("NextToken", "NextToken", None),
    "list_grants": ("Marker", "NextMarker", "Truncated"),
    "list_bucket_inventory_configurations": (
        "ContinuationToken",
        "NextContinuationToken",
        "IsTruncated",
    ),
    "list_bucket_analytics_configurations": (
        "ContinuationToken",
        "NextContinuationToken",
        "IsTruncated",
    ),
    "list_bucket_intelligent_tiering_configurations": (
        "ContinuationToken",
        "NextContinuationToken",
        "IsTruncated",
    ),
    "list_access_points": ("NextToken", "NextToken", None),
    "list_subscriptions_by_topic": ("NextToken", "NextToken", None),
    "describe_alarms": ("NextToken", "NextToken", None),
}


def call_all_pages(client: Any, operation: str, items_key: str, **params: Any) -> Answer:
    """Every page of a list call, merged into {items_key: [...]}; the first error ends it."""
    request_token, response_token, truncated_flag = _PAGING[operation]
    items: list[Any] = []
    pages = 0
    while True:
        answer = call(client, operation, **params)
        if not answer.ok:
            return answer
        pages += 1
        items.extend(answer.data.get(items_key, []))
        token = answer.data.get(response_token)
        more = bool(answer.data.get(truncated_flag)) if truncated_flag else bool(token)
        if not more or not token or pages > 1000:
            return Answer({items_key: items, "Pages": pages})
        params = {**params, request_token: token}
