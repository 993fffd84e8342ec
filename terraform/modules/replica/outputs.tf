output "replication" {
  description = "The replication, as the stack contract publishes it: { region, role_arn, delete_marker_replication, kms_keys = { <app> = { arn, alias } }, buckets = { <app> = { <store> = { name, arn, source, kms_key_arn, lifecycle_rules } } } }."
  value = {
    region                    = local.replica_region
    role_arn                  = aws_iam_role.replication.arn
    delete_marker_replication = true
    kms_keys = {
      for app in local.apps : app => {
        arn   = local.replica_key_arn[app]
        alias = aws_kms_alias.replica[var.shared_key ? "telemetry" : app].name
      }
    }
    buckets = {
      for app in local.apps : app => {
        for key, source in var.sources : source.store => {
          name            = local.replica_names[key]
          arn             = local.replica_arn[key]
          source          = source.name
          kms_key_arn     = local.replica_key_arn[app]
          lifecycle_rules = source.lifecycle_rules
        } if source.app == app
      }
    }
  }
}
