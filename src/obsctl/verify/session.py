"""Verify what a Session deployed: its state, its contract, clients for its target."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from obsctl.errors import ObsctlError
from obsctl.model import StackContract, TerraformJSON
from obsctl.verify.aws import CachedClients, ClientFactory, boto3_clients
from obsctl.verify.engine import VerifyOptions, verify_stack
from obsctl.verify.lint import parliament

if TYPE_CHECKING:
    from obsctl.verify.model import Report
    from obsctl.workspace.session import Session


def attach(session: Session) -> None:
    """Point the session's Terraform at the running local AWS without `terraform init`.

    verify never starts the local AWS (an empty one has nothing to verify): it must be running.
    """
    if session.sandbox is not None:
        session.sandbox.require()
        session.terraform.env = session.sandbox.apply_environment(session.terraform.env)


def load_state(session: Session) -> dict[str, Any]:
    """The state, running `terraform init` first only when Terraform says it must."""
    from obsctl.terraform.runner import TerraformError

    attach(session)
    try:
        return read_state(session)
    except TerraformError:
        session.init()
        return read_state(session)


def read_state(session: Session) -> dict[str, Any]:
    """The raw state document (`terraform state pull`).

    It carries the root outputs (the contract) and every resource's attributes, and unlike
    `terraform show -json` it does not start the provider: about 1 s instead of 6 s.
    """
    from obsctl.terraform.runner import TerraformError

    completed = session.terraform.run(["state", "pull"], stream=False)
    if completed.returncode != 0:
        raise TerraformError("state pull", [], completed.stderr or completed.stdout)
    return json.loads(completed.stdout or "{}")


def sandbox_state(session: Session, clients: ClientFactory | None) -> dict[str, Any] | None:
    """On the local target, the state read where obsctl's workspace keeps it (a file, or an
    object in the local AWS), without starting Terraform; None when it is not there."""
    from obsctl.verify.aws import call

    workspace = session.workspace
    if workspace.backend == "local":
        path = workspace.local_state_path
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    if workspace.backend != "s3" or clients is None or session.sandbox is None:
        return None
    config = workspace.backend_config(session.sandbox.region)
    answer = call(clients("s3"), "get_object", Bucket=config["bucket"], Key=config["key"])
    return json.loads(answer.data["Body"].read()) if answer.ok else None


def clients_for(session: Session, region: str) -> CachedClients:
    """Clients bound to the local AWS on the local target, the credential chain on aws."""
    sandbox = session.sandbox
    if sandbox is not None:
        return CachedClients(
            lambda service: sandbox.client(service, region),
            regional=lambda other: clients_for(session, other),
        )
    return boto3_clients(region)


def verify_session(
    session: Session,
    options: VerifyOptions | None = None,
    *,
    state: dict[str, Any] | None = None,
) -> Report:
    """Verify the stack `session` deployed (what `obsctl up` calls after its apply).

    On the local target the state is read where obsctl keeps it; elsewhere Terraform pulls it
    (a subprocess, about 1 s) while boto3 is imported in the background. Parliament loads in
    the background too.
    """
    options = options or VerifyOptions(target=session.target)
    with ThreadPoolExecutor(max_workers=2) as pool:
        early = pool.submit(_early_clients, session)
        if options.selected("iam.policy-lint"):
            pool.submit(parliament)
        if state is None and getattr(session, "sandbox", None) is not None:
            state = sandbox_state(session, early.result()[1])
        if state is None:
            state = load_state(session)
        outputs = TerraformJSON(state).outputs()
        if outputs:
            contract = StackContract.from_outputs(outputs, source=str(session.workspace.root))
        else:
            contract = session.contract()  # raises "Nothing is deployed ..." when it is empty
        region, clients = early.result()
    if clients is None or region != contract.region:
        clients = clients_for(session, contract.region)
    if session.target == "aws":
        require_account(clients, contract.account_id)
    return verify_stack(contract, state, clients, options)


def _early_clients(session: Session) -> tuple[str | None, ClientFactory | None]:
    """Clients for the local AWS in its region, made before the contract names the region."""
    import boto3  # noqa: F401  (about 0.7 s to import: worth overlapping with the state pull)

    sandbox = getattr(session, "sandbox", None)
    if sandbox is None:
        return None, None
    clients = clients_for(session, sandbox.region)
    for service in ("s3", "kms", "iam", "dynamodb"):
        clients(service)
    return sandbox.region, clients


def require_account(clients: ClientFactory, account_id: str) -> None:
    """Refuse credentials of another account: every resource would look deleted."""
    from obsctl.verify.aws import call

    answer = call(clients("sts"), "get_caller_identity")
    if not answer.ok:
        raise ObsctlError(f"The AWS credentials could not be checked ({answer.describe_error()}).")
    if answer.data.get("Account") != account_id:
        raise ObsctlError(
            f"The AWS credentials belong to account {answer.data.get('Account')}, but the stack "
            f"is in account {account_id}.",
            hint="Use credentials (AWS_PROFILE) for the stack's account.",
        )
