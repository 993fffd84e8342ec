"""What checking AWS's limits before apply costs `obsctl up`, and what the check itself costs.

    .venv/bin/python bench/limits_bench.py [--runs 3]

- one run (before issue 13): `terraform apply -auto-approve`, plan and apply in one process;
- plan, check, apply (now): `terraform plan -out`, `terraform show -json` of that plan, the
  limits check and the name lookups, then `terraform apply` of the same saved plan.

Both on the dev env, into a fresh local AWS each, alternating, so the machine's load falls on both
alike. Also: `check_plan` alone on the recorded prod plan (no Terraform, no AWS), and the name
lookups alone against a local AWS.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))


def _session(state: Path):  # type: ignore[no-untyped-def]
    os.environ["OBSCTL_STATE_DIR"] = str(state)
    from obsctl.workspace.session import open_session

    session = open_session("dev", "local")
    session.init()
    return session


def one_run(state: Path) -> float:
    session = _session(state)
    started = time.monotonic()
    session.apply_now()
    return time.monotonic() - started


def plan_check_apply(state: Path) -> tuple[float, float, float]:
    """(total, show -json, check and lookups) seconds."""
    from obsctl.collisions import find_taken
    from obsctl.limits import check_plan
    from obsctl.limits.preflight import _clients

    session = _session(state)
    started = time.monotonic()
    plan = session.plan()
    shown = time.monotonic()
    document = session.plan_json(plan)
    show = time.monotonic() - shown
    checked = time.monotonic()
    findings = check_plan(document)
    taken = find_taken(document, _clients(session, document))
    check = time.monotonic() - checked
    assert findings.ok and not taken, (findings.violations, taken)
    session.apply(plan)
    return time.monotonic() - started, show, check


def _stop(state: Path) -> None:
    from obsctl.sandbox import Sandbox

    Sandbox(state / "sandbox").stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    single, checked, shows, checks = [], [], [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
            try:
                single.append(one_run(Path(first)))
            finally:
                _stop(Path(first))
            try:
                total, show, check = plan_check_apply(Path(second))
            finally:
                _stop(Path(second))
            checked.append(total)
            shows.append(show)
            checks.append(check)
        print(f"one run {single[-1]:.1f} s; plan, check, apply {checked[-1]:.1f} s", flush=True)

    from obsctl.limits import check_plan

    plan = json.loads((REPO / "tests" / "fixtures" / "plan" / "prod.json").read_text())
    started = time.monotonic()
    for _ in range(20):
        check_plan(plan)
    per_check = (time.monotonic() - started) / 20
    print(
        f"\ndev, {args.runs} runs each (medians): one run {statistics.median(single):.1f} s; "
        f"plan, check, apply {statistics.median(checked):.1f} s "
        f"(+{statistics.median(checked) - statistics.median(single):.1f} s), of which show -json "
        f"{statistics.median(shows):.1f} s and check + name lookups "
        f"{statistics.median(checks) * 1000:.0f} ms; check_plan on the prod plan alone "
        f"{per_check * 1000:.0f} ms; load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
