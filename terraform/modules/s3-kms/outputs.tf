output "buckets" {
  description = "Buckets per app and store: { mimir = { blocks = { name, arn }, ruler = ..., alertmanager = ... }, loki = { chunks, ruler[, admin] }, tempo = { traces } }."
  value = {
    for app in var.apps : app => {
      for key, bucket in local.buckets : bucket.store => {
        name = aws_s3_bucket.this[key].bucket
        arn  = aws_s3_bucket.this[key].arn
      } if bucket.app == app
    }
  }
}

output "kms_keys" {
  description = "The customer-managed key of each app: { arn, alias (null for existing keys), managed (created by this module) }. With the shared strategy every app names the same key."
  value = {
    for app in var.apps : app => {
      arn     = local.key_arn_by_app[app]
      alias   = var.kms.strategy == "existing" ? null : aws_kms_alias.this[var.kms.strategy == "shared" ? "telemetry" : app].name
      managed = var.kms.strategy != "existing"
    }
  }
}

output "iam_storage" {
  description = "Bucket and key ARNs per app, shaped for the iam module's `storage` input."
  value = {
    for app in var.apps : app => {
      bucket_arns  = [for key, bucket in local.buckets : aws_s3_bucket.this[key].arn if bucket.app == app]
      kms_key_arns = [local.key_arn_by_app[app]]
    }
  }
}

output "access_log_bucket" {
  description = "Name of the bucket receiving S3 server access logs, or null when logging is off."
  value       = var.access_logging.enabled ? local.access_log_bucket_name : null
}

output "lifecycle_rules" {
  description = "The lifecycle rules of each bucket as the module wrote them (for verification and cost estimates)."
  value       = { for key, bucket in local.buckets : bucket.name => local.lifecycle_rules[key] }
}
