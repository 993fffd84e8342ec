"""`obsctl verify`: the live stack against its security baseline, its contract and its state.

    report = verify_stack(contract, state, clients, VerifyOptions())
    print(render(report, "table")); sys.exit(report.exit_code)

`verify_stack` is a plain function: `obsctl up` calls it after an apply, the `verify` command
alone, tests with recorded API answers. `clients(service)` returns boto3-compatible clients.
"""

from obsctl.verify.aws import CachedClients, ClientFactory, boto3_clients
from obsctl.verify.catalogue import CONTROLS, Control
from obsctl.verify.engine import VerifyOptions, parse_selection, verify_stack
from obsctl.verify.model import Report, Result, Status
from obsctl.verify.render import FORMATS, render
from obsctl.verify.session import read_state, verify_session

__all__ = [
    "CONTROLS",
    "FORMATS",
    "CachedClients",
    "ClientFactory",
    "Control",
    "Report",
    "Result",
    "Status",
    "VerifyOptions",
    "boto3_clients",
    "parse_selection",
    "read_state",
    "render",
    "verify_session",
    "verify_stack",
]
