"""The examples at the end of each verb's --help (a test runs the local-target ones)."""

from __future__ import annotations

EXAMPLES = {
    "up": """examples:
  obsctl up                                   dev on the embedded local AWS
  obsctl up --env prod --var create_loki_tables=true
  obsctl up --env prod --target aws --yes     real AWS, no question (CI)
  obsctl up --json | jq .outputs.buckets.value
""",
    "plan": """examples:
  obsctl plan                                 counts by action and resource type
  obsctl plan -v                              and Terraform's own plan
  obsctl plan --env prod --target aws --detailed-exitcode   exit 2 when there are changes
  obsctl plan --destroy --json
""",
    "down": """examples:
  obsctl down                                 asks you to type the env name
  obsctl down --env dev --yes
  obsctl down --env prod --force --yes        prod refuses without --force
""",
    "status": """examples:
  obsctl status
  obsctl status --json | jq '.[] | select(.resources > 0)'
  obsctl status --drift --env prod --target aws   exit 3 on drift, 4 when nothing is deployed
""",
    "verify": """examples:
  obsctl verify
  obsctl verify --env prod --target aws --format sarif --out verify.sarif
  obsctl verify --only s3,kms --skip s3.access-logging='dev has no log bucket'
  obsctl verify --list-controls
""",
    "values": "",  # values declares its own (obsctl.cli.arguments.VALUES_EXAMPLES)
    "cost": """examples:
  obsctl cost                                 dev, priced with the small preset
  obsctl cost --env prod --preset large --compare
  obsctl cost --plan-json plan.json --format markdown --out cost.md
""",
    "tf": """examples:
  obsctl tf --env prod -- output -raw name_prefix
  obsctl tf --env dev -- state list
  obsctl tf --env prod -- show -json > prod-state.json
  (paths in ARGS are relative to the root module: terraform runs with -chdir=ROOT)
""",
    "sandbox": """examples:
  obsctl sandbox start --port 4566            pin the port (or $OBSCTL_SANDBOX_PORT)
  eval "$(obsctl sandbox env)"                aws and terraform now talk to the local AWS
  obsctl sandbox status --json
  obsctl sandbox stop --force                 even with stacks deployed in it
""",
    "unlock": """examples:
  obsctl unlock --env prod --target aws 1fb329eb-5e25-e524-9b5e-cefe7e499daa
  obsctl unlock --env prod --target aws --force LOCK_ID   you checked the holder is gone
""",
    "doctor": """examples:
  obsctl doctor
  obsctl doctor --target aws                  also asks AWS STS who your credentials are
  obsctl doctor --json
""",
    "completion": """examples:
  eval "$(obsctl completion bash)"            in ~/.bashrc
  eval "$(obsctl completion zsh)"             in ~/.zshrc (after compinit)
""",
}
