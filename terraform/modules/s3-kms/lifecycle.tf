# Lifecycle rules per bucket, derived from each application's own retention (../README.md,
# "The facts the modules encode"):
#   every bucket   abort incomplete multipart uploads after 1 day; expire noncurrent versions
#   data buckets   optional storage-class transitions
#   Mimir blocks   no expiry unless a safety net is asked for, and then only on tenant prefixes
#   Loki chunks    expiry only on the tenant prefixes named, never index/ or the seed file
#   Tempo traces   expiry at retention + 1 day (Tempo's own advice for orphaned blocks)
#   ruler, alertmanager, admin: never any expiry of current objects
# Every rule carries an explicit prefix filter; "" means the whole bucket.
locals {
  baseline_rules = [
    {
      id                     = "abort-incomplete-multipart-uploads"
      prefix                 = ""
      abort_after_days       = 1
      expiration_days        = null
      expire_delete_markers  = null
      noncurrent_expire_days = null
      transitions            = []
    },
    {
      id                     = "expire-noncurrent-versions"
      prefix                 = ""
      abort_after_days       = null
      expiration_days        = null
      expire_delete_markers  = true
      noncurrent_expire_days = var.noncurrent_version_expiration_days
      transitions            = []
    },
  ]

  transition_rules = {
    for app, steps in local.transitions_by_day : app => length(steps) == 0 ? [] : [{
      id                     = "transition-storage-class"
      prefix                 = ""
      abort_after_days       = null
      expiration_days        = null
      expire_delete_markers  = null
      noncurrent_expire_days = null
      transitions            = [for step in steps : { days = step.days, storage_class = step.storage_class }]
    }]
  }

  # The first whole day an expiry of current objects may fire on each data store: past the
  # app's retention plus its compactor's delay (Tempo: retention + 1 day, its own advice).
  min_expiry_days = {
    mimir = floor(var.retention_days.mimir + var.mimir_compactor_deletion_delay_hours / 24) + 1
    loki  = floor(var.retention_days.loki + var.loki_retention_delete_delay_hours / 24) + 1
    tempo = var.retention_days.tempo + 1
  }

  # What an expiry rule on each data store may reach (the contract's expiry_guard, which verify
  # judges live rules by): prefixes null means any prefix that reaches no protected object; an
  # empty list, none (Mimir without a safety net: the compactor owns retention).
  expiry_guard = {
    mimir = {
      min_days           = local.min_expiry_days.mimir
      prefixes           = var.mimir_blocks_expiry == null ? [] : var.mimir_blocks_expiry.tenant_prefixes
      protected_prefixes = ["__mimir_cluster/"]
    }
    loki = {
      min_days           = local.min_expiry_days.loki
      prefixes           = null
      protected_prefixes = ["index/", "loki_cluster_seed.json", "delete_requests/"]
    }
    tempo = {
      min_days           = local.min_expiry_days.tempo
      prefixes           = null
      protected_prefixes = []
    }
  }

  tenant_expiry = {
    mimir = var.mimir_blocks_expiry
    loki  = var.loki_chunks_expiry
    tempo = { days = local.min_expiry_days.tempo, tenant_prefixes = [""] }
  }

  expiry_rules = {
    for app, expiry in local.tenant_expiry : app => expiry == null ? [] : [
      for prefix in expiry.tenant_prefixes : {
        id                     = prefix == "" ? "expire-after-retention" : "expire-tenant-${trimsuffix(prefix, "/")}"
        prefix                 = prefix
        abort_after_days       = null
        expiration_days        = expiry.days
        expire_delete_markers  = null
        noncurrent_expire_days = null
        transitions            = []
      }
    ]
  }

  lifecycle_rules = {
    for key, bucket in local.buckets : key => concat(
      local.baseline_rules,
      bucket.store == local.data_store[bucket.app] ? local.transition_rules[bucket.app] : [],
      bucket.store == local.data_store[bucket.app] ? local.expiry_rules[bucket.app] : [],
    )
  }
}
