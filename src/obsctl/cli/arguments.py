"""The command line: each verb's flags, declared once per verb, the shared ones once.

Only argparse lives here: what a flag means for the work is the command function's business
(`obsctl.commands.<verb>`), which the dispatcher calls with plain values.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from obsctl.commands.completion import SHELLS as COMPLETION_SHELLS
from obsctl.commands.cost import FORMATS as COST_FORMATS
from obsctl.commands.sandbox import ACTIONS as SANDBOX_ACTIONS
from obsctl.commands.verify import FORMATS as VERIFY_FORMATS
from obsctl.paths import ENVS

TARGETS = ("local", "aws")


def add_env_arguments(parser: argparse.ArgumentParser) -> None:
    """--env, --target and --dir: which root module, against which AWS.

    --env and --dir both name the root module, so argparse refuses them together (exit 2)
    instead of silently running --dir and ignoring --env.
    """
    root = parser.add_mutually_exclusive_group()
    root.add_argument(
        "--env", choices=ENVS, default="dev", help="environment root under terraform/envs"
    )
    parser.add_argument(
        "--target",
        choices=TARGETS,
        default="local",
        help="local: the embedded local AWS (no account needed); aws: your AWS credentials",
    )
    root.add_argument(
        "--dir",
        type=Path,
        metavar="ROOT",
        help="a root module of your own that exposes the stack contract (instead of --env)",
    )


def add_terraform_arguments(parser: argparse.ArgumentParser) -> None:
    """--var, --var-file and --binary: what Terraform gets."""
    parser.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a root-module variable (repeatable), e.g. --var eks_cluster_name=prod-eks",
    )
    parser.add_argument(
        "--var-file",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="a .tfvars file of root-module variables (repeatable); a --var wins over it",
    )
    parser.add_argument(
        "--binary",
        metavar="PATH",
        help="terraform or tofu executable (default: $OBSCTL_TERRAFORM or terraform on PATH)",
    )


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON on stdout")


def up_arguments(parser: argparse.ArgumentParser) -> None:
    add_env_arguments(parser)
    add_terraform_arguments(parser)
    parser.add_argument("--yes", action="store_true", help="apply on AWS without asking")
    parser.add_argument(
        "--accept-orphans",
        action="store_true",
        help="on the aws target, apply although the last, killed apply left resources outside "
        "the state (obsctl lists them; by default it stops)",
    )
    parser.add_argument(
        "--kafka-address",
        metavar="HOST:PORT",
        help="Kafka-compatible broker for the Helm values: Mimir ingest storage and "
        "tempo-distributed 3.x (without it: Mimir's classic architecture, monolithic Tempo)",
    )
    add_json_argument(parser)


def plan_arguments(parser: argparse.ArgumentParser) -> None:
    add_env_arguments(parser)
    add_terraform_arguments(parser)
    parser.add_argument("--destroy", action="store_true", help="plan the removal instead")
    parser.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit as Terraform's -detailed-exitcode does: 0 no changes, 1 error, 2 changes",
    )
    add_json_argument(parser)


def down_arguments(parser: argparse.ArgumentParser) -> None:
    add_env_arguments(parser)
    add_terraform_arguments(parser)
    parser.add_argument("--force", action="store_true", help="allow destroying prod")
    parser.add_argument("--yes", action="store_true", help="do not ask to type the env name")
    add_json_argument(parser)


def status_arguments(parser: argparse.ArgumentParser) -> None:
    add_env_arguments(parser)
    add_terraform_arguments(parser)
    parser.add_argument(
        "--drift",
        action="store_true",
        help="run a refresh-only plan for --env/--target; exit 3 on drift",
    )
    add_json_argument(parser)


def verify_arguments(parser: argparse.ArgumentParser) -> None:
    add_env_arguments(parser)
    parser.add_argument(
        "--format",
        choices=VERIFY_FORMATS,
        help="output format (default table; json, junit and sarif give one entry per check)",
    )
    add_json_argument(parser)
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="ID",
        help="run only these controls: an id (s3.encryption), a family (s3, kms, dynamodb, iam, "
        "drift) or an FSBP id (S3.9); repeatable or comma-separated",
    )
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="ID=REASON",
        help="skip a control and say why, e.g. --skip s3.access-logging='dev has no log bucket'; "
        "the reason is required and appears in every report format",
    )
    parser.add_argument(
        "--out", type=Path, metavar="FILE", help="write the report to FILE; print the verdict"
    )
    parser.add_argument(
        "--list-controls", action="store_true", help="print the control catalogue and exit"
    )


VALUES_EXAMPLES = """examples:
  obsctl values --env dev
  obsctl values --env prod --kafka-address b-1.msk.example.com:9092 --tenant team-a
  obsctl values --env prod --check --chart loki=./charts/loki \\
      --chart mimir=grafana/mimir-distributed --helm /usr/local/bin/helm
      (gate `helm upgrade` in a pipeline: same flags as the values you install; a chart is a
      directory or a repo/chart reference that helm pulls at the values' --chart-version)
"""


def values_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = VALUES_EXAMPLES
    add_env_arguments(parser)
    parser.add_argument(
        "--contract-json",
        type=Path,
        metavar="FILE",
        help="the stack contract: a `terraform output -json` file of the env root",
    )
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="output folder (default .obsctl/values/<env>/)"
    )
    add_json_argument(parser)
    parser.add_argument(
        "--format",
        choices=("helm", "config"),
        default="helm",
        help="helm: values for the four charts (default); config: mimir.yaml, loki.yaml and "
        "tempo.yaml application configuration, for deployments without Helm",
    )
    parser.add_argument(
        "--release",
        action="append",
        default=[],
        metavar="APP=NAME",
        help="Helm release name of an app (default: the app's name); it decides the "
        "service-account name, which the app's role must trust",
    )
    parser.add_argument(
        "--namespace",
        action="append",
        default=[],
        metavar="APP=NS",
        help="namespace of an app (default: the namespace its role trusts)",
    )
    parser.add_argument(
        "--chart-version",
        action="append",
        default=[],
        metavar="CHART=VER",
        help="chart version to install (default: the tested one, see README.md)",
    )
    parser.add_argument(
        "--set-file",
        action="append",
        default=[],
        metavar="CHART=FILE",
        help="YAML values of your own for a chart (or app), deep-merged last; repeatable",
    )
    parser.add_argument(
        "--kafka-address",
        metavar="HOST:PORT",
        help="Kafka-compatible broker: Mimir then uses ingest storage instead of its classic "
        "architecture; required by tempo-distributed 3.x",
    )
    parser.add_argument(
        "--tempo-chart",
        choices=("distributed", "monolithic"),
        help="tempo-distributed 3.x (needs --kafka-address) or the single-binary tempo chart "
        "(default: distributed with --kafka-address, else monolithic, as `obsctl up` writes)",
    )
    parser.add_argument(
        "--tenant",
        metavar="ID",
        help="tenant (X-Scope-OrgID) Grafana's Mimir and Loki data sources query "
        "(default: anonymous)",
    )
    parser.add_argument(
        "--grafana-cloudwatch",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="add Grafana's CloudWatch data source (on by default, as the iam module grants "
        "CloudWatch read access by default)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; render the values with helm and your charts and check what they "
        "deploy (exit 1 on any failure)",
    )
    parser.add_argument(
        "--chart",
        action="append",
        default=[],
        metavar="APP=CHART",
        help="with --check: the chart to render for an app, a directory or a repo/chart "
        "reference (default: the chart named in README.md, pulled with your helm repos)",
    )
    parser.add_argument(
        "--helm",
        metavar="PATH",
        help="with --check: the helm executable (default: $OBSCTL_HELM, else helm on PATH)",
    )
    parser.add_argument(
        "--cluster",
        metavar="KEY",
        help="a stack with several clusters: only this cluster's values (a key of the "
        "contract's clusters); --check needs it",
    )


def cost_arguments(parser: argparse.ArgumentParser) -> None:
    add_env_arguments(parser)
    add_terraform_arguments(parser)
    parser.add_argument(
        "--plan-json",
        type=Path,
        metavar="FILE",
        help="the JSON of a saved plan: terraform show -json PLANFILE > FILE",
    )
    parser.add_argument(
        "--usage", type=Path, metavar="FILE", help="telemetry volumes (YAML; see docs/cost.md)"
    )
    parser.add_argument(
        "--preset",
        metavar="NAME",
        help="a reference workload instead of --usage: small, medium or large "
        "(default: small for dev, medium otherwise)",
    )
    parser.add_argument(
        "--format", choices=COST_FORMATS, help="output format (default table; --json: json)"
    )
    # Local to cost: --json is --format json here (the report is the JSON document).
    parser.add_argument("--json", action="store_true", help="the same as --format json")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also price the same volume in S3 Standard only, without Bucket Key, and the saving",
    )
    parser.add_argument(
        "--compare-to",
        type=Path,
        metavar="PLAN.json",
        help="price the change from this plan (the JSON of a saved plan, e.g. of the main "
        "branch) to the env's plan or --plan-json: per resource, before, after and the "
        "difference, in every format",
    )
    parser.add_argument("--out", type=Path, metavar="FILE", help="write the report to FILE")
    parser.add_argument(
        "--prices",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="an AWS Price List offer file of the plan's region (JSON or CSV, from "
        "pricing.us-east-1.amazonaws.com/offers/v1.0/aws/<offer>/current/<region>/index.json): "
        "its prices replace the packaged ones; repeatable (AmazonS3, "
        "AmazonS3GlacierDeepArchive, AmazonDynamoDB, awskms...), or a price file of your own "
        "(YAML, the packaged prices.yaml's layout)",
    )


def sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=SANDBOX_ACTIONS)
    parser.add_argument(
        "--port",
        type=int,
        metavar="PORT",
        help="with start: the loopback port to listen on (default: $OBSCTL_SANDBOX_PORT, else "
        "the port of the last start while it is free)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="with stop: stop although stacks are deployed in it (they are lost with it)",
    )
    add_json_argument(parser)


def unlock_arguments(parser: argparse.ArgumentParser) -> None:
    add_env_arguments(parser)
    parser.add_argument("lock_id", metavar="LOCK_ID", help="the lock ID that the lock error names")
    parser.add_argument(
        "--force",
        action="store_true",
        help="release even if a process may still hold the lock (you checked it is gone)",
    )
    parser.add_argument(
        "--binary",
        metavar="PATH",
        help="terraform or tofu executable (default: $OBSCTL_TERRAFORM or terraform on PATH)",
    )
    add_json_argument(parser)


def doctor_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--binary", metavar="PATH", help="terraform or tofu executable to check")
    parser.add_argument(
        "--target",
        choices=TARGETS,
        default="local",
        help="aws: also ask AWS STS whom your credentials belong to (needs the network)",
    )
    add_json_argument(parser)


def tf_arguments(parser: argparse.ArgumentParser) -> None:
    add_env_arguments(parser)
    parser.add_argument(
        "--binary",
        metavar="PATH",
        help="terraform or tofu executable (default: $OBSCTL_TERRAFORM or terraform on PATH)",
    )
    parser.add_argument(
        "terraform_args",
        nargs=argparse.REMAINDER,
        metavar="-- ARGS",
        help="the Terraform command and its flags, after `--` (e.g. -- output -raw name_prefix)",
    )


def completion_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=COMPLETION_SHELLS, help="the shell to complete in")


# verb -> the function that declares its flags
ARGUMENTS = {
    "up": up_arguments,
    "plan": plan_arguments,
    "down": down_arguments,
    "status": status_arguments,
    "verify": verify_arguments,
    "values": values_arguments,
    "cost": cost_arguments,
    "tf": tf_arguments,
    "sandbox": sandbox_arguments,
    "unlock": unlock_arguments,
    "doctor": doctor_arguments,
    "completion": completion_arguments,
}
