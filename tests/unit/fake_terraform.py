"""A stand-in `terraform` for runner tests: replays a scenario file, honours SIGINT like Terraform.

Scenario (JSON, path in $FAKE_TF_SCENARIO): {"<subcommand>": {"events": [...], "exit": N,
"stderr": "...", "stdout": "...", "wait_for_interrupt": bool}}; a "<subcommand> -json" entry, when
present, answers that subcommand's -json form (`show -json` beside the plan text of `show`).
On the first SIGINT it prints an "interrupted" event and exits 1 after finishing; a second SIGINT
exits 130 at once.
"""

import json
import os
import signal
import sys
import time
from pathlib import Path

args = [a for a in sys.argv[1:] if not a.startswith("-chdir=")]
subcommand = args[0] if args else ""
scenario_file = Path(os.environ["FAKE_TF_SCENARIO"])
scenarios = json.loads(scenario_file.read_text(encoding="utf-8"))
json_form = f"{subcommand} -json"
answering = json_form if "-json" in args and json_form in scenarios else subcommand
scenario = scenarios.get(answering, {})
with Path(f"{scenario_file}.calls").open("a", encoding="utf-8") as log:
    log.write(json.dumps(sys.argv[1:]) + "\n")

interrupts = 0


def on_interrupt(signum, frame):
    global interrupts
    interrupts += 1
    if interrupts >= 2:
        sys.exit(130)


signal.signal(signal.SIGINT, on_interrupt)
for event in scenario.get("events", []):
    print(json.dumps(event), flush=True)
if scenario.get("stdout"):
    print(scenario["stdout"], flush=True)
if scenario.get("stderr"):
    print(scenario["stderr"], file=sys.stderr, flush=True)
if scenario.get("wait_for_interrupt"):
    print(
        json.dumps({"type": "apply_start", "hook": {"resource": {"addr": "aws_s3_bucket.this"}}}),
        flush=True,
    )
    deadline = time.monotonic() + 20
    while interrupts == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    if interrupts == 1:
        time.sleep(0.5)  # "finishing the current operation", during which a second ^C may land
        print(
            json.dumps(
                {
                    "type": "diagnostic",
                    "diagnostic": {"severity": "error", "summary": "execution halted"},
                }
            ),
            flush=True,
        )
        sys.exit(1)
sys.exit(scenario.get("exit", 0))
