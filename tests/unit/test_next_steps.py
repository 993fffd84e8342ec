"""What `obsctl up` prints under "Next:": commands that run as printed (the CLI flow test runs
the dev ones after a real `up`)."""

from __future__ import annotations

from obsctl.report import next_steps


def commands(text: str) -> list[str]:
    return [line.split("    ")[0].strip() for line in text.splitlines() if "obsctl " in line]


def test_dev_on_the_local_aws_lists_the_four_follow_ups() -> None:
    assert commands(next_steps(None, "dev", "local")) == [  # type: ignore[arg-type]
        "obsctl verify --env dev",
        "obsctl values --env dev",
        "obsctl cost --env dev",
        "obsctl down --env dev",
    ]


def test_values_repeats_the_kafka_address_so_it_rewrites_what_up_wrote() -> None:
    text = next_steps(None, "dev", "aws", "kafka.kafka.svc:9092")  # type: ignore[arg-type]
    assert "obsctl values --env dev --target aws --kafka-address kafka.kafka.svc:9092" in text
    assert "obsctl verify --env dev --target aws" in commands(text)
    assert "no account, no bill" not in text


def test_prod_gets_no_down_line_because_down_refuses_prod_without_force() -> None:
    lines = commands(next_steps(None, "prod", "local"))  # type: ignore[arg-type]
    assert lines and not any(line.startswith("obsctl down") for line in lines)
