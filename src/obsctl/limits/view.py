"""The plan as the checks read it: the model's resources and Stack, its inputs, the quotas.

Nothing here walks Terraform JSON: `TerraformJSON` reads the plan and `plan_stack` builds the
Stack (buckets with their lifecycle and versioning, the contract). This module only names things
for the sentences: a resource ("S3 bucket \"lgtm-dev-...-loki-chunks\""), and the input of the
root that sets a value ("change the input tags").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from obsctl.limits.findings import Deferred, Findings, Violation
from obsctl.limits.table import Limit, Quotas
from obsctl.model import Stack, TerraformJSON
from obsctl.model.build import build_stack, plan_contract
from obsctl.model.contract import ContractError
from obsctl.model.tfjson import Resource

KINDS = {
    "aws_s3_bucket": ("S3 bucket", "bucket"),
    "aws_s3_bucket_acl": ("S3 bucket ACL", "bucket"),
    "aws_s3_bucket_policy": ("S3 bucket policy of", "bucket"),
    "aws_s3_object": ("S3 object", "key"),
    "aws_iam_role": ("IAM role", "name"),
    "aws_iam_role_policy": ("IAM inline policy", "name"),
    "aws_iam_policy": ("IAM policy", "name"),
    "aws_iam_openid_connect_provider": ("IAM OIDC provider", "url"),
    "aws_kms_key": ("KMS key", "description"),
    "aws_kms_key_policy": ("KMS key policy", "key_id"),
    "aws_kms_alias": ("KMS alias", "name"),
    "aws_dynamodb_table": ("DynamoDB table", "name"),
    "aws_sns_topic": ("SNS topic", "name"),
    "aws_sns_topic_policy": ("SNS topic policy", "arn"),
    "aws_cloudwatch_metric_alarm": ("CloudWatch alarm", "alarm_name"),
    "aws_cloudtrail": ("CloudTrail trail", "name"),
}
_WHITE_SPACE = re.compile(r"\s")


def without_white_space(text: str) -> str:
    return _WHITE_SPACE.sub("", text)


def nonws_chars(text: str) -> int:
    """How IAM sizes a policy: "IAM does not count white space"."""
    return len(without_white_space(text))


def nonws_bytes(text: str) -> int:
    return len(without_white_space(text).encode("utf-8"))


def text_value(value: Any) -> str | None:
    """A string attribute of a planned resource, or None when the plan knows it only after
    apply (Terraform leaves unknown values out of planned_values)."""
    return value if isinstance(value, str) else None


@dataclass
class PlanView:
    document: TerraformJSON
    stack: Stack
    quotas: Quotas
    findings: Findings

    @classmethod
    def of(cls, plan: Mapping[str, Any], quotas: Quotas) -> PlanView:
        try:
            contract = plan_contract(plan)
        except ContractError:
            contract = None  # a root of your own that breaks the contract: check the resources
        return cls(TerraformJSON(plan), build_stack(contract, plan), quotas, Findings())

    # -- reading ---------------------------------------------------------------------------

    def of_type(self, *types: str) -> list[Resource]:
        return self.document.of_type(*types)

    def linked(self, res: Resource, attribute: str, target_type: str) -> Resource | None:
        """The resource of `target_type` that `res.attribute` names (by value or reference)."""
        name_attribute = KINDS.get(target_type, ("", "name"))[1]
        value = res.values.get(attribute)
        if isinstance(value, str):
            found = self.document.find(target_type, name_attribute, value)
            if found is not None:
                return found
        return self.document.linked(res, attribute, target_type)

    def documents(self, standalone: str, owner: str) -> list[tuple[Resource, str | None]]:
        """Every policy document of a kind, with its resource: those of the standalone
        resources (aws_s3_bucket_policy...) and those set on their owners (a bucket's policy);
        None where the plan knows the document only after apply."""
        found = [(res, text_value(res.values.get("policy"))) for res in self.of_type(standalone)]
        found += [
            (res, text_value(res.values.get("policy")))
            for res in self.of_type(owner)
            if text_value(res.values.get("policy"))
        ]
        return found

    @property
    def variables(self) -> dict[str, Any]:
        return self.document.variables()

    # -- naming ----------------------------------------------------------------------------

    def label(self, res: Resource) -> str:
        kind, attribute = KINDS.get(res.type, (res.type, "name"))
        name = res.values.get(attribute)
        if res.type == "aws_kms_key":
            alias = self._alias_of(res)
            return f"KMS key {alias} ({res.address})" if alias else f"KMS key {res.address}"
        if isinstance(name, str) and name:
            return f'{kind} "{name}"'
        return f"{kind} {res.address}"

    def _alias_of(self, key: Resource) -> str | None:
        for alias in self.of_type("aws_kms_alias"):
            if self.document.linked(alias, "target_key_id", "aws_kms_key") is key:
                name = alias.values.get("name")
                return name if isinstance(name, str) else None
        return None

    def declared(self, row: Limit) -> list[str]:
        """The row's inputs this root declares (what its user can change)."""
        variables = self.variables
        return [name for name in row.inputs if name in variables]

    def app_of(self, role: Resource) -> str | None:
        """The app whose role `role` is, as the stack's contract says (None: not the stack's)."""
        name = role.values.get("name")
        return next((found.app for found in self.stack.roles if found.name == name), None)

    def remedy(
        self, row: Limit, res: Resource, how: str, reaching: tuple[str, ...] | None = None
    ) -> str:
        """ "change the input X (how)", or where the value is set when no input reaches it.
        X is the first input the root declares among the row's, or among `reaching` (the row's
        inputs that reach this resource) when given."""
        declared = [name for name in self.declared(row) if reaching is None or name in reaching]
        if declared:
            return f"change the input {declared[0]} ({how})"
        return f"change {res.address} in this root ({how})"

    # -- recording -------------------------------------------------------------------------

    def violation(self, row: Limit, res: Resource, sentence: str) -> None:
        self.findings.violations.append(Violation(row, res.address, sentence))

    def deferred(self, row: Limit, res: Resource, reason: str) -> None:
        self.findings.deferred.append(Deferred(row, res.address, reason))


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def resources_with(view: PlanView, types: Mapping[str, Any]) -> Iterator[Resource]:
    for res in view.document.resources:
        if res.type in types:
            yield res
