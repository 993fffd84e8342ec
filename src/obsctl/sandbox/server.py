"""The local AWS process: moto in server mode, bound to a loopback address only.

Run as `python -m obsctl.sandbox.server --ready-file PATH --instance-id ID`. It binds an
ephemeral port (or the one given), writes `{"port": N}` to the ready file once it accepts
connections, and serves until SIGTERM or SIGINT. The instance id only marks the command line,
so the controller can prove a pid is this server before it signals it.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType


def _require_loopback(host: str) -> None:
    if not ipaddress.ip_address(host).is_loopback:
        raise SystemExit(f"refusing to bind {host}: the local AWS only listens on loopback")


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_suffix(path.suffix + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="obsctl-sandbox-server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready-file", type=Path, required=True)
    parser.add_argument("--instance-id", required=True)
    args = parser.parse_args(argv)
    _require_loopback(args.host)

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    from obsctl.sandbox.extensions import with_extensions

    app = with_extensions(DomainDispatcherApplication(create_backend_app))
    server = make_server(
        args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler
    )

    def shut_down(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shut_down)
    signal.signal(signal.SIGINT, shut_down)

    port = server.server_address[1]
    _write_atomically(args.ready_file, json.dumps({"port": port, "pid": os.getpid()}))
    print(f"local AWS listening on http://{args.host}:{port}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
