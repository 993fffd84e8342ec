"""Start, stop or inspect the embedded local AWS (a moto server on 127.0.0.1).

`obsctl sandbox env` prints shell exports that point plain `terraform` and the AWS CLI at it:
eval "$(obsctl sandbox env)".
"""

from __future__ import annotations

import argparse
import json

from obsctl.commands.common import add_json_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("start", "stop", "status", "env"))
    add_json_argument(parser)


def run(args: argparse.Namespace) -> int:
    from obsctl.paths import state_dir
    from obsctl.sandbox import Sandbox

    sandbox = Sandbox(state_dir() / "sandbox")
    if args.action == "start":
        info = sandbox.start()
        _print(
            args,
            {
                "running": True,
                "endpoint": info.endpoint_url,
                "pid": info.pid,
                "log": str(sandbox.log_path),
            },
            f"Local AWS running at {info.endpoint_url} (pid {info.pid}).",
        )
    elif args.action == "stop":
        stopped = sandbox.stop()
        _print(
            args,
            {"stopped": stopped},
            "Local AWS stopped." if stopped else "Local AWS was not running.",
        )
    elif args.action == "status":
        info = sandbox.running()
        if info is None:
            _print(args, {"running": False}, "Local AWS is not running.")
            return 1
        _print(
            args,
            {
                "running": True,
                "endpoint": info.endpoint_url,
                "pid": info.pid,
                "log": str(sandbox.log_path),
            },
            f"Local AWS running at {info.endpoint_url} (pid {info.pid}, log {sandbox.log_path}).",
        )
    else:
        environment = sandbox.environment()
        if args.json:
            print(json.dumps(environment, indent=2))
        else:
            for key, value in environment.items():
                print(f"export {key}={value}")
    return 0


def _print(args: argparse.Namespace, payload: dict, text: str) -> None:
    print(json.dumps(payload, indent=2) if args.json else text)
