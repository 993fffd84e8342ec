"""Failures no command anticipated, said as one sentence instead of a Python traceback.

A read-only checkout, a full disk, an AWS endpoint out of reach, credentials AWS refuses, a
dependency missing from the installation: each becomes the ObsctlError a command would have
raised, with a hint. Anything else is a bug in obsctl, and says so (the traceback is printed
with -v).
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

from obsctl.errors import ObsctlError
from obsctl.paths import STATE_DIR_ENV


def as_sentence(error: BaseException) -> ObsctlError:
    """The error a user can act on for an exception nothing caught."""
    if isinstance(error, ModuleNotFoundError) and error.name:
        return _missing_module(error.name)
    if isinstance(error, OSError) and not _from_botocore(error):
        return _os_error(error)
    if _from_botocore(error):
        return _aws_error(error)
    return ObsctlError(
        f"Unexpected error: {type(error).__name__}: {error}",
        hint="This is a bug in obsctl; run the command again with -v to see where it happened, "
        "and report it with that output.",
    )


def _missing_module(name: str) -> ObsctlError:
    """An installation without one of obsctl's dependencies (installed before it needed it,
    or by hand without them)."""
    package = name.split(".")[0]
    return ObsctlError(
        f"obsctl cannot run: {package}, a Python package it needs, is not installed in "
        f"{sys.executable}.",
        hint="Install obsctl again with its dependencies: `make demo` in the checkout, or "
        "`pip install -e .` there with that Python.",
    )


def _os_error(error: OSError) -> ObsctlError:
    path = error.filename
    reason = error.strerror or str(error)
    if path is None:
        return ObsctlError(f"A file operation failed: {reason}.")
    writing = error.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
    message = f"Cannot write {path}: {reason}." if writing else f"Cannot use {path}: {reason}."
    hint = None
    if writing or error.errno == errno.ENOSPC:
        hint = (
            f"obsctl keeps its working files in .obsctl/ of the checkout; point ${STATE_DIR_ENV} "
            "at a writable folder (a read-only checkout works then)."
            if _inside_state_dir(Path(os.fsdecode(path)))
            else "Check the folder's permissions and free space."
        )
    return ObsctlError(message, hint=hint)


def _inside_state_dir(path: Path) -> bool:
    from obsctl.paths import state_dir

    try:
        state = state_dir()
    except OSError:
        return True
    return path == state or state in path.parents or path in state.parents


def _from_botocore(error: BaseException) -> bool:
    return type(error).__module__.split(".")[0] in ("botocore", "boto3")


def _aws_error(error: BaseException) -> ObsctlError:
    from botocore import exceptions

    if isinstance(error, exceptions.NoCredentialsError | exceptions.PartialCredentialsError):
        return ObsctlError(
            "No usable AWS credentials were found.",
            hint="Configure them as for the AWS CLI (aws configure, AWS_PROFILE, SSO), or use "
            "--target local.",
        )
    if isinstance(
        error,
        exceptions.EndpointConnectionError
        | exceptions.ConnectTimeoutError
        | exceptions.ReadTimeoutError
        | exceptions.ConnectionClosedError,
    ):
        return ObsctlError(
            f"AWS could not be reached: {error}",
            hint="Check the network, a proxy and AWS_REGION; on the local target, "
            "`obsctl sandbox status` says whether the local AWS runs.",
        )
    if isinstance(error, exceptions.ClientError):
        details = error.response.get("Error", {})
        code = details.get("Code", "Error")
        operation = getattr(error, "operation_name", "a call")
        hint = (
            "Refresh the credentials (aws sso login, or new keys) and try again."
            if "Token" in code or code in ("InvalidClientTokenId", "SignatureDoesNotMatch")
            else None
        )
        return ObsctlError(
            f"AWS refused {operation}: {code}: {details.get('Message', '').rstrip('.')}.",
            hint=hint,
        )
    return ObsctlError(f"The AWS SDK failed: {error}")
