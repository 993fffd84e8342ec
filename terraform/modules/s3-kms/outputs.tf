output "buckets" {
  description = "Buckets per app and store ({ mimir = { blocks, ruler, alertmanager }, loki = { chunks, ruler[, admin] }, tempo = { traces } }), each { name, arn, holds_data (the app's bulk data store), lifecycle_rules (as the module wrote them), expiry_guard (what an expiry of current objects may reach; null where none may) }."
  value = {
    for app in var.apps : app => {
      for key, bucket in local.buckets : bucket.store => {
        name            = aws_s3_bucket.this[key].bucket
        arn             = aws_s3_bucket.this[key].arn
        holds_data      = bucket.store == local.data_store[app]
        lifecycle_rules = local.lifecycle_rules[key]
        expiry_guard    = bucket.store == local.data_store[app] ? local.expiry_guard[app] : null
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

output "tag_keys" {
  description = "The tag keys this module reserves: { module, app, store, kms_key }."
  value       = local.tag_keys
}

output "replication_sources" {
  description = "Every telemetry bucket keyed \"<app>-<store>\": { app, store, name, arn, versioned_name (the name, known once versioning is on: S3 accepts a replication configuration only then), kms_key_arn, lifecycle_rules }. The replica module's `sources` input."
  value = {
    for key, bucket in local.buckets : key => {
      app             = bucket.app
      store           = bucket.store
      name            = bucket.name
      arn             = "arn:${local.partition}:s3:::${bucket.name}"
      versioned_name  = aws_s3_bucket_versioning.this[key].bucket
      kms_key_arn     = local.key_arn_by_app[bucket.app]
      lifecycle_rules = local.lifecycle_rules[key]
    }
  }
}
