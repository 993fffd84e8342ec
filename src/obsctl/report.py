"""Human-readable summaries of a deployed stack, shared by `up` and `status`."""

from __future__ import annotations

from obsctl.model.contract import StackContract


def stack_summary(contract: StackContract) -> str:
    """Buckets, keys, roles with their service accounts, and tables, as aligned text."""
    used_by = (
        f"cluster {contract.cluster_name}"
        if len(contract.clusters) <= 1
        else f"{len(contract.clusters)} clusters"
    )
    lines = [
        f"{contract.environment} stack {contract.name_prefix} in {contract.region} "
        f"(account {contract.account_id}, {used_by})",
        "",
        "Buckets (SSE-KMS, versioned, private, TLS-only):",
    ]
    for app, store, bucket in contract.all_buckets():
        lines.append(f"  {app:<8} {store:<13} {bucket.name}")
    lines += ["", "KMS keys (rotating):"]
    for app, key in contract.kms_keys.items():
        lines.append(f"  {app:<8} {key.alias or '(your key)':<40} {key.arn}")
    lines += ["", "Roles and the service accounts they trust:"]
    for app, role in contract.roles.items():
        subjects = ", ".join(s.removeprefix("system:serviceaccount:") for s in role.trust_subjects)
        lines.append(f"  {app:<8} {role.name:<40} {role.identity:<12} {subjects}")
    if len(contract.clusters) > 1:
        lines += ["", "Clusters, their accounts and the apps they run:"]
        for key, cluster in contract.clusters.items():
            apps = ", ".join(f"{app} ({entry.namespace})" for app, entry in cluster.apps.items())
            lines.append(f"  {key:<24} {cluster.account_id}  {apps}")
    if contract.replication is not None:
        replication = contract.replication
        lines += ["", f"Replicas in {replication.region} (role {replication.role_arn}):"]
        for app, store, replica in replication.all_buckets():
            lines.append(f"  {app:<8} {store:<13} {replica.name}")
    tables = contract.all_tables()
    if tables:
        lines += ["", "DynamoDB index tables (legacy, PITR, SSE-KMS):"]
        lines += [f"  {app:<8} {table.name}" for app, table in tables]
    annotated = {app: role for app, role in contract.roles.items() if role.helm_annotations}
    if annotated:
        lines += ["", "Service-account annotations for the Helm charts:"]
        for app, role in annotated.items():
            for key, value in role.helm_annotations.items():
                lines.append(f"  {app:<8} {key}: {value}")
    return "\n".join(lines)


def next_steps(
    contract: StackContract, env: str, target: str, kafka_address: str | None = None
) -> str:
    """The commands to run after `up`, each runnable as printed (a test runs them all).

    `values` repeats `up`'s --kafka-address, so it rewrites the same charts `up` wrote. prod
    gets no `down` line: `obsctl down` refuses prod without --force, by design.
    """
    flags = f"--env {env}" + ("" if target == "local" else f" --target {target}")
    values = flags + (f" --kafka-address {kafka_address}" if kafka_address else "")
    width = max(len(flags), len(values))
    steps = [
        "Next:",
        f"  obsctl verify {flags:<{width}}    audit the live security posture",
        f"  obsctl values {values:<{width}}    rewrite the Helm values with your releases and "
        "options",
        f"  obsctl cost {flags:<{width}}      estimate the monthly cost",
    ]
    if env != "prod":
        steps.append(f"  obsctl down {flags:<{width}}      remove the stack")
    if target == "local":
        steps.append("  (everything above ran on the embedded local AWS: no account, no bill)")
    return "\n".join(steps)
