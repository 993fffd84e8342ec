"""From parsed flags to a command call: one small function per verb, plain values only.

The command modules import their heavy dependencies (boto3, moto, Terraform plumbing) when
they run, so `obsctl --help` stays fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from obsctl.commands.base import Context, Result, Selection
from obsctl.errors import UsageError


def dispatch(ctx: Context, args: argparse.Namespace) -> Result:
    return VERBS[args.command](ctx, args)


def _selection(args: argparse.Namespace) -> Selection:
    """--env/--dir, --target, and (for the verbs that take them) --binary, --var and
    --var-file."""
    return Selection(
        env=args.env,
        target=args.target,
        root_dir=args.dir,
        binary=getattr(args, "binary", None),
        variables=tuple(getattr(args, "var", ())),
        var_files=tuple(getattr(args, "var_file", ())),
    )


def _up(ctx: Context, args: argparse.Namespace) -> Result:
    from obsctl.commands.up import up

    return up(
        ctx,
        _selection(args),
        yes=args.yes,
        accept_orphans=args.accept_orphans,
        kafka_address=args.kafka_address,
    )


def _plan(ctx: Context, args: argparse.Namespace) -> Result:
    from obsctl.commands.plan import plan

    return plan(
        ctx, _selection(args), destroy=args.destroy, detailed_exitcode=args.detailed_exitcode
    )


def _down(ctx: Context, args: argparse.Namespace) -> Result:
    from obsctl.commands.down import down

    return down(ctx, _selection(args), force=args.force, yes=args.yes)


def _status(ctx: Context, args: argparse.Namespace) -> Result:
    from obsctl.commands.status import drift, status

    return drift(ctx, _selection(args)) if args.drift else status(ctx)


def _verify(ctx: Context, args: argparse.Namespace) -> Result:
    from obsctl.commands.verify import list_controls, verify

    if args.list_controls:
        return list_controls(ctx)
    if args.json and args.format not in (None, "json"):
        raise UsageError(
            f"--json means --format json, so it cannot be combined with --format {args.format}."
        )
    return verify(
        ctx,
        _selection(args),
        fmt="json" if args.json else (args.format or "table"),
        only=args.only,
        skip=args.skip,
        out=args.out,
    )


def _values(ctx: Context, args: argparse.Namespace) -> Result:
    from obsctl.commands.values import ValuesFlags, values

    flags = ValuesFlags(
        env=args.env,
        dir=args.dir,
        format=args.format,
        tempo_chart=args.tempo_chart,
        kafka_address=args.kafka_address,
        tenant=args.tenant,
        release=args.release,
        namespace=args.namespace,
        chart_version=args.chart_version,
        set_file=args.set_file,
        grafana_cloudwatch=args.grafana_cloudwatch,
        check=args.check,
        chart=args.chart,
        helm=args.helm,
        cluster=args.cluster,
    )
    return values(
        ctx, target=args.target, flags=flags, contract_json=args.contract_json, out=args.out
    )


def _cost(ctx: Context, args: argparse.Namespace) -> Result:
    from obsctl.commands.cost import cost

    if args.json and args.format not in (None, "json"):
        raise UsageError(
            f"--json means --format json, so it cannot be combined with --format {args.format}."
        )
    return cost(
        ctx,
        _selection(args),
        plan_json=args.plan_json,
        usage=args.usage,
        preset=args.preset,
        fmt="json" if args.json else (args.format or "table"),
        compare=args.compare,
        compare_to=args.compare_to,
        out=args.out,
        prices=tuple(args.prices),
    )


def _tf(ctx: Context, args: argparse.Namespace) -> Result:
    from obsctl.commands.tf import tf

    terraform_args = list(args.terraform_args)
    if terraform_args[:1] == ["--"]:
        terraform_args = terraform_args[1:]
    return tf(ctx, _selection(args), terraform_args)


def _sandbox(ctx: Context, args: argparse.Namespace) -> Result:
    from obsctl.commands.sandbox import sandbox

    if args.port is not None and args.action != "start":
        raise UsageError("--port goes with `obsctl sandbox start`.")
    if args.force and args.action != "stop":
        raise UsageError("--force goes with `obsctl sandbox stop`.")
    return sandbox(ctx, args.action, port=args.port, force=args.force)


def _unlock(ctx: Context, args: argparse.Namespace) -> Result:
    from obsctl.commands.unlock import unlock

    return unlock(ctx, _selection(args), args.lock_id, force=args.force)


def _doctor(ctx: Context, args: argparse.Namespace) -> Result:
    from obsctl.commands.doctor import doctor

    return doctor(ctx, binary=args.binary, target=args.target)


def _completion(ctx: Context, args: argparse.Namespace) -> Result:
    from obsctl.commands.completion import completion

    return completion(ctx, args.shell, args.completes)


VERBS: dict[str, Callable[[Context, argparse.Namespace], Result]] = {
    "up": _up,
    "plan": _plan,
    "down": _down,
    "status": _status,
    "verify": _verify,
    "values": _values,
    "cost": _cost,
    "tf": _tf,
    "sandbox": _sandbox,
    "unlock": _unlock,
    "doctor": _doctor,
    "completion": _completion,
}
