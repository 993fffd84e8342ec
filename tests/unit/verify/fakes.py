"""A fake AWS that answers from API calls recorded against the local AWS (moto).

Each fixture under fixtures/ holds a stack's contract outputs, its Terraform state and every call
`verify` made against it, with the response or the error code AWS (moto) gave. `RecordedAWS`
serves them to `verify_stack` as boto3-like clients; a call nobody recorded fails the test, so
the tests also pin down which API calls the verifier makes.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from obsctl.model.contract import StackContract

FIXTURES = Path(__file__).parent / "fixtures"


def _key(service: str, operation: str, params: dict[str, Any]) -> str:
    return json.dumps([service, operation, params], sort_keys=True)


class UnrecordedCallError(AssertionError):
    pass


class RecordedAWS:
    """Recorded answers by (service, operation, parameters), with per-test overrides."""

    def __init__(self, calls: list[dict[str, Any]]) -> None:
        self._answers: dict[str, dict[str, Any]] = {}
        for item in calls:
            self._answers[_key(item["service"], item["operation"], item["params"])] = item
        self.made: list[tuple[str, str, dict[str, Any]]] = []

    def __call__(self, service: str) -> FakeClient:
        return FakeClient(self, service)

    def answer(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        self.made.append((service, operation, params))
        item = self._answers.get(_key(service, operation, params))
        if item is None:
            raise UnrecordedCallError(f"no recorded answer for {service}.{operation}({params})")
        if "error" in item:
            error = item["error"]
            raise ClientError(
                {"Error": {"Code": error["code"], "Message": error.get("message", "")}}, operation
            )
        response = copy.deepcopy(item["response"])
        response["ResponseMetadata"] = {"HTTPStatusCode": 200}
        return response

    def recorded(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """A recorded response (a copy), to build an override from."""
        item = self._answers[_key(service, operation, params)]
        return copy.deepcopy(item["response"])

    def respond(
        self, service: str, operation: str, response: dict[str, Any], **params: Any
    ) -> None:
        self._answers[_key(service, operation, params)] = {
            "service": service,
            "operation": operation,
            "params": params,
            "response": response,
        }

    def fail(
        self, service: str, operation: str, code: str, message: str = "", **params: Any
    ) -> None:
        self._answers[_key(service, operation, params)] = {
            "service": service,
            "operation": operation,
            "params": params,
            "error": {"code": code, "message": message},
        }

    def calls_to(self, operation: str) -> list[dict[str, Any]]:
        return [params for _, op, params in self.made if op == operation]


class FakeClient:
    def __init__(self, aws: RecordedAWS, service: str) -> None:
        self._aws = aws
        self._service = service

    def __getattr__(self, operation: str) -> Any:
        if operation.startswith("_"):
            raise AttributeError(operation)

        def invoke(**params: Any) -> dict[str, Any]:
            return self._aws.answer(self._service, operation, params)

        return invoke


class Fixture:
    """One recorded stack: its contract, its state and the recorded AWS."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))

    @property
    def contract(self) -> StackContract:
        return StackContract.from_outputs(self.data["outputs"], source=self.name)

    @property
    def state(self) -> dict[str, Any]:
        return copy.deepcopy(self.data["state"])

    def aws(self) -> RecordedAWS:
        return RecordedAWS(self.data["calls"])


def load(name: str) -> Fixture:
    return Fixture(name)
