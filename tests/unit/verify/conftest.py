"""Recorded stacks and helpers shared by the verify unit tests."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.verify.fakes import Fixture, RecordedAWS, load

from obsctl.model import Stack as ExpectedStack
from obsctl.model import read_stack
from obsctl.verify.collect import BUCKET_READS, LiveStack, collect
from obsctl.verify.engine import VerifyOptions, verify_stack
from obsctl.verify.model import Report


@pytest.fixture(scope="session")
def prod_fixture() -> Fixture:
    return load("prod")


@pytest.fixture(scope="session")
def dev_fixture() -> Fixture:
    return load("dev")


@pytest.fixture(scope="session")
def missing_fixture() -> Fixture:
    return load("missing")


@pytest.fixture
def prod(prod_fixture: Fixture) -> Stack:
    return Stack(prod_fixture)


@pytest.fixture
def dev(dev_fixture: Fixture) -> Stack:
    return Stack(dev_fixture)


class Stack:
    """A recorded stack whose answers a test may change before verifying it."""

    def __init__(self, fixture: Fixture) -> None:
        self.fixture = fixture
        self.contract = fixture.contract
        self.state: dict[str, Any] | None = fixture.state
        self.aws: RecordedAWS = fixture.aws()

    def bucket(self, app: str, store: str) -> str:
        return self.contract.buckets[app][store].name

    def role(self, app: str) -> str:
        return self.contract.roles[app].name

    def key(self, app: str) -> str:
        return self.contract.kms_keys[app].arn

    def verify(self, **options: Any) -> Report:
        return verify_stack(self.contract, self.state, self.aws, VerifyOptions(**options))

    def snapshot(self) -> tuple[ExpectedStack, LiveStack]:
        expected = read_stack(self.contract, self.state)
        return expected, collect(expected, self.aws, workers=4)

    def bare_bucket(self, bucket: str, missing: Fixture, *reads: str) -> None:
        """Serve what S3 answered for a never-configured bucket for these reads of `bucket`."""
        recorded = missing.aws()
        for read in reads or tuple(BUCKET_READS):
            operation = BUCKET_READS[read]
            try:
                response = recorded.answer("s3", operation, {"Bucket": "verify-fixture-bare"})
            except Exception as error:  # the recorded error code
                code = error.response["Error"]["Code"]  # type: ignore[attr-defined]
                self.aws.fail("s3", operation, code, Bucket=bucket)
            else:
                response.pop("ResponseMetadata", None)
                self.aws.respond("s3", operation, response, Bucket=bucket)
