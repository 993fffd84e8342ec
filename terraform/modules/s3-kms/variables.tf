variable "name_prefix" {
  description = "Prefix of every bucket, key alias and log bucket: buckets are named \"<prefix>-<app>-<store>\". Lowercase letters, digits and hyphens; no dots (they break virtual-hosted TLS)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]*[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix \"${var.name_prefix}\" must use only lowercase letters, digits and hyphens, and start and end with a letter or digit (no dots)."
  }

  validation {
    condition     = !startswith(var.name_prefix, "xn--") && !startswith(var.name_prefix, "sthree-") && !startswith(var.name_prefix, "amzn-s3-demo-")
    error_message = "name_prefix \"${var.name_prefix}\" starts with a prefix S3 reserves (xn--, sthree-, amzn-s3-demo-)."
  }

  validation {
    condition     = length("${var.name_prefix}-mimir-alertmanager") <= 63
    error_message = "name_prefix \"${var.name_prefix}\" is too long: bucket \"${var.name_prefix}-mimir-alertmanager\" would be ${length("${var.name_prefix}-mimir-alertmanager")} characters and S3 allows 63."
  }
}

variable "apps" {
  description = "Applications that get storage: any of \"mimir\", \"loki\", \"tempo\"."
  type        = set(string)
  default     = ["mimir", "loki", "tempo"]

  validation {
    condition     = alltrue([for app in var.apps : contains(["mimir", "loki", "tempo"], app)])
    error_message = "apps contains ${jsonencode(setsubtract(var.apps, ["mimir", "loki", "tempo"]))}: the known apps are mimir, loki and tempo."
  }
}

variable "retention_days" {
  description = "How long each application keeps data, in days, as its own compactor enforces it (Mimir compactor_blocks_retention_period, Loki retention_period, Tempo block_retention). Lifecycle rules are derived from it and never delete earlier."
  type = object({
    mimir = optional(number, 395)
    loki  = optional(number, 31)
    tempo = optional(number, 14)
  })
  default = {}

  validation {
    condition     = alltrue([for app, days in var.retention_days : days >= 1 && floor(days) == days])
    error_message = "retention_days must be whole days of at least 1 for every app; got ${jsonencode(var.retention_days)}."
  }
}

variable "mimir_blocks_expiry" {
  description = "Optional safety-net expiry on the Mimir blocks bucket, for the tenant prefixes listed (S3 cannot exclude a prefix, so the cluster seed under __mimir_cluster/ is protected by naming tenants). Null (the default) leaves retention to the compactor alone."
  type = object({
    days            = number
    tenant_prefixes = list(string)
  })
  default = null

  validation {
    condition     = var.mimir_blocks_expiry == null || try(var.mimir_blocks_expiry.days * 24 > var.retention_days.mimir * 24 + var.mimir_compactor_deletion_delay_hours, false)
    error_message = "mimir_blocks_expiry.days must exceed Mimir's retention (${var.retention_days.mimir} days) plus the compactor deletion delay (${var.mimir_compactor_deletion_delay_hours} h), or the bucket would delete blocks the bucket index still lists."
  }

  validation {
    condition     = var.mimir_blocks_expiry == null || try(length(var.mimir_blocks_expiry.tenant_prefixes) > 0 && alltrue([for prefix in var.mimir_blocks_expiry.tenant_prefixes : can(regex("^[A-Za-z0-9!._*'()-]+/$", prefix)) && !startswith("__mimir_cluster/", prefix)]), false)
    error_message = "mimir_blocks_expiry.tenant_prefixes must list tenant folders such as \"anonymous/\" (one path segment ending in \"/\"), never an empty prefix or one that covers __mimir_cluster/."
  }
}

variable "mimir_compactor_deletion_delay_hours" {
  description = "Mimir's compactor.deletion_delay in hours: how long a deleted block stays before removal. Any expiry must come later."
  type        = number
  default     = 12

  validation {
    condition     = var.mimir_compactor_deletion_delay_hours >= 0
    error_message = "mimir_compactor_deletion_delay_hours cannot be negative."
  }
}

variable "loki_chunks_expiry" {
  description = "Optional expiry of Loki chunks under the tenant prefixes listed (\"fake/\" in single-tenant mode). Never the whole bucket: index/, loki_cluster_seed.json and delete requests must stay."
  type = object({
    days            = number
    tenant_prefixes = list(string)
  })
  default = null

  validation {
    condition     = var.loki_chunks_expiry == null || try(var.loki_chunks_expiry.days * 24 > var.retention_days.loki * 24 + var.loki_retention_delete_delay_hours, false)
    error_message = "loki_chunks_expiry.days must exceed Loki's retention (${var.retention_days.loki} days) plus the compactor's retention_delete_delay (${var.loki_retention_delete_delay_hours} h)."
  }

  validation {
    condition = var.loki_chunks_expiry == null || try(length(var.loki_chunks_expiry.tenant_prefixes) > 0 && alltrue([
      for prefix in var.loki_chunks_expiry.tenant_prefixes : can(regex("^[A-Za-z0-9!._*'()-]+/$", prefix))
      && !contains(["index/", "delete_requests/"], prefix)
    ]), false)
    error_message = "loki_chunks_expiry.tenant_prefixes must list tenant folders such as \"fake/\" (one path segment ending in \"/\"), never an empty prefix, index/ or delete_requests/."
  }
}

variable "loki_retention_delete_delay_hours" {
  description = "Loki's compactor.retention_delete_delay in hours (Loki's default is 2). Any expiry must come later."
  type        = number
  default     = 2

  validation {
    condition     = var.loki_retention_delete_delay_hours >= 0
    error_message = "loki_retention_delete_delay_hours cannot be negative."
  }
}

variable "loki_admin_bucket" {
  description = "Create Loki's admin bucket, which only the enterprise edition (GEL) uses."
  type        = bool
  default     = false
}

variable "storage_transitions" {
  description = "Storage-class transitions per app for its data bucket (Mimir blocks, Loki chunks, Tempo traces), in days after creation. S3's rules apply: classes in waterfall order, at least 30 days before STANDARD_IA or ONEZONE_IA and 30 days in those before the next class; objects under 128 KB never transition (S3's default minimum size)."
  type = object({
    mimir = optional(list(object({ days = number, storage_class = string })), [])
    loki  = optional(list(object({ days = number, storage_class = string })), [])
    tempo = optional(list(object({ days = number, storage_class = string })), [])
  })
  default = {}

  validation {
    condition = alltrue(flatten([for app, steps in var.storage_transitions : [
      for step in steps : contains(["INTELLIGENT_TIERING", "STANDARD_IA", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], step.storage_class)
    ]]))
    error_message = "${join(" and ", flatten([for app, steps in var.storage_transitions : [
      for step in steps : "storage_transitions.${app} uses the unknown storage class ${jsonencode(step.storage_class)}"
      if !contains(["INTELLIGENT_TIERING", "STANDARD_IA", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], step.storage_class)
    ]]))}; allowed: INTELLIGENT_TIERING, STANDARD_IA, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE."
  }

  validation {
    condition = alltrue(flatten([for app, steps in var.storage_transitions : [
      for step in steps : step.days >= 0 && floor(step.days) == step.days
    ]]))
    error_message = "${join(" and ", flatten([for app, steps in var.storage_transitions : [
      for step in steps : "storage_transitions.${app} has a transition on day ${step.days}" if !(step.days >= 0 && floor(step.days) == step.days)
    ]]))}: transition days must be whole numbers of at least 0."
  }

  validation {
    condition = alltrue(flatten([for app, steps in var.storage_transitions : [
      for step in steps : step.days >= 30 if contains(["STANDARD_IA", "ONEZONE_IA"], step.storage_class)
    ]]))
    error_message = "${join(" and ", flatten([for app, steps in var.storage_transitions : [
      for step in steps : "storage_transitions.${app} moves objects to ${step.storage_class} on day ${step.days}"
      if contains(["STANDARD_IA", "ONEZONE_IA"], step.storage_class) && step.days < 30
    ]]))}, but S3 keeps objects in STANDARD for at least 30 days before STANDARD_IA or ONEZONE_IA."
  }

  # Sorted by day, each step must go further down S3's waterfall and, after an IA class, wait 30 days.
  validation {
    condition = alltrue([
      for app, steps in var.storage_transitions : alltrue(flatten([
        for sorted in [[
          for key in sort([for step in steps : format("%06d/%s", floor(step.days), step.storage_class)]) : {
            days  = tonumber(split("/", key)[0])
            class = split("/", key)[1]
            rank  = lookup({ STANDARD_IA = 1, INTELLIGENT_TIERING = 2, ONEZONE_IA = 3, GLACIER_IR = 4, GLACIER = 5, DEEP_ARCHIVE = 6 }, split("/", key)[1], 0)
          }
          ]] : [
          for i in range(1, max(1, length(sorted))) :
          sorted[i].rank > sorted[i - 1].rank && sorted[i].days > sorted[i - 1].days
          && (!contains(["STANDARD_IA", "ONEZONE_IA"], sorted[i - 1].class) || sorted[i].days - sorted[i - 1].days >= 30)
        ]
      ]))
    ])
    # format() rather than nested templates: checkov's HCL parser cannot read quotes inside ${}.
    error_message = format("%s breaks S3's rules: each later transition must go further down the waterfall (STANDARD_IA, INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE) on a later day, at least 30 days after any IA step.", join(" and ", [
      for app, steps in var.storage_transitions : format("storage_transitions.%s %s", app, jsonencode([for step in steps : format("%s on day %v", step.storage_class, step.days)]))
      if !alltrue(flatten([
        for sorted in [[
          for key in sort([for step in steps : format("%06d/%s", floor(step.days), step.storage_class)]) : {
            days  = tonumber(split("/", key)[0])
            class = split("/", key)[1]
            rank  = lookup({ STANDARD_IA = 1, INTELLIGENT_TIERING = 2, ONEZONE_IA = 3, GLACIER_IR = 4, GLACIER = 5, DEEP_ARCHIVE = 6 }, split("/", key)[1], 0)
          }
          ]] : [
          for i in range(1, max(1, length(sorted))) :
          sorted[i].rank > sorted[i - 1].rank && sorted[i].days > sorted[i - 1].days
          && (!contains(["STANDARD_IA", "ONEZONE_IA"], sorted[i - 1].class) || sorted[i].days - sorted[i - 1].days >= 30)
        ]
      ]))
    ]))
  }

  validation {
    condition = alltrue(concat(
      [for step in var.storage_transitions.mimir : var.mimir_blocks_expiry == null || try(step.days < var.mimir_blocks_expiry.days, true)],
      [for step in var.storage_transitions.loki : var.loki_chunks_expiry == null || try(step.days < var.loki_chunks_expiry.days, true)],
    ))
    error_message = "${join(" and ", concat(
      [for step in var.storage_transitions.mimir : "storage_transitions.mimir has a transition on day ${step.days}, not before mimir_blocks_expiry.days (${try(var.mimir_blocks_expiry.days, "none")})" if !(var.mimir_blocks_expiry == null || try(step.days < var.mimir_blocks_expiry.days, true))],
      [for step in var.storage_transitions.loki : "storage_transitions.loki has a transition on day ${step.days}, not before loki_chunks_expiry.days (${try(var.loki_chunks_expiry.days, "none")})" if !(var.loki_chunks_expiry == null || try(step.days < var.loki_chunks_expiry.days, true))],
    ))}: a transition must come before the app's expiry."
  }

  validation {
    condition     = alltrue([for step in var.storage_transitions.tempo : step.days < var.retention_days.tempo + 1])
    error_message = "storage_transitions.tempo has a transition on day ${join(", ", [for step in var.storage_transitions.tempo : tostring(step.days) if !(step.days < var.retention_days.tempo + 1)])}, but Tempo's traces expire after its retention plus one day (${var.retention_days.tempo + 1} days), so transition earlier or not at all."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days a replaced or deleted object version is kept (versioning is always on) before S3 removes it."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number of at least 1."
  }
}

variable "kms" {
  description = "Customer-managed keys: one per app (\"per_app\", the default), one for all (\"shared\"), or keys you already have (\"existing\", give existing_key_arns per app). Rotation is always on."
  type = object({
    strategy                = optional(string, "per_app")
    existing_key_arns       = optional(map(string), {})
    deletion_window_in_days = optional(number, 30)
    rotation_period_in_days = optional(number, 365)
    administrator_arns      = optional(list(string), [])
    # Accounts other than the keys' own whose principals may be in administrator_arns: a key
    # administrator of another account is a decision to write down, never an accident.
    external_administrator_accounts = optional(list(string), [])
    via_services                    = optional(list(string), ["s3"])
  })
  default = {}

  validation {
    condition     = alltrue([for account in var.kms.external_administrator_accounts : can(regex("^[0-9]{12}$", account))])
    error_message = "kms.external_administrator_accounts must list 12-digit AWS account ids; got ${jsonencode(var.kms.external_administrator_accounts)}."
  }

  validation {
    condition     = contains(["per_app", "shared", "existing"], var.kms.strategy)
    error_message = "kms.strategy \"${var.kms.strategy}\" must be per_app, shared or existing."
  }

  validation {
    condition     = var.kms.strategy != "existing" || alltrue([for app in var.apps : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-[a-f0-9]{32}|[a-f0-9-]{36})$", var.kms.existing_key_arns[app]))])
    error_message = "kms.existing_key_arns needs a key ARN (arn:aws:kms:<region>:<account>:key/<id>, not an alias) for every app in apps when kms.strategy is existing; got ${jsonencode(var.kms.existing_key_arns)}."
  }

  validation {
    condition     = var.kms.deletion_window_in_days >= 7 && var.kms.deletion_window_in_days <= 30
    error_message = "kms.deletion_window_in_days must be between 7 and 30; got ${var.kms.deletion_window_in_days}."
  }

  validation {
    condition     = var.kms.rotation_period_in_days >= 90 && var.kms.rotation_period_in_days <= 2560
    error_message = "kms.rotation_period_in_days must be between 90 and 2560; got ${var.kms.rotation_period_in_days}."
  }

  validation {
    condition     = alltrue([for arn in var.kms.administrator_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/.+|user/.+)$", arn))])
    error_message = "kms.administrator_arns must be IAM role, user or account-root ARNs; got ${jsonencode(var.kms.administrator_arns)}."
  }

  validation {
    condition     = length(var.kms.via_services) > 0 && alltrue([for service in var.kms.via_services : contains(["s3", "dynamodb"], service)])
    error_message = "kms.via_services lists the services allowed to use the keys for callers: s3 and/or dynamodb; got ${jsonencode(var.kms.via_services)}."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete buckets that still hold objects. Keep false wherever data matters."
  type        = bool
  default     = false
}

variable "access_logging" {
  description = "S3 server access logging for every telemetry bucket: into a log bucket this module creates (\"<prefix>-access-logs\", SSE-S3 because S3 log delivery cannot use SSE-KMS) or into an existing one (target_bucket). source_bucket_names: other buckets (the stack's audit bucket) whose access logs the created log bucket accepts too."
  type = object({
    enabled        = optional(bool, false)
    target_bucket  = optional(string)
    target_prefix  = optional(string, "s3-access-logs/")
    retention_days = optional(number, 365)
    # Other buckets of the stack (the audit bucket) whose logs the created log bucket accepts.
    source_bucket_names = optional(list(string), [])
  })
  default = {}

  validation {
    condition     = alltrue([for name in var.access_logging.source_bucket_names : can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", name))])
    error_message = "access_logging.source_bucket_names ${jsonencode(var.access_logging.source_bucket_names)} must be S3 bucket names."
  }

  validation {
    condition     = var.access_logging.target_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.access_logging.target_bucket))
    error_message = "access_logging.target_bucket ${jsonencode(var.access_logging.target_bucket)} is not a valid S3 bucket name."
  }

  validation {
    condition     = var.access_logging.retention_days >= 1 && floor(var.access_logging.retention_days) == var.access_logging.retention_days
    error_message = "access_logging.retention_days must be a whole number of at least 1."
  }

  validation {
    condition     = can(regex("^([A-Za-z0-9!._*'()-]+/)*$", var.access_logging.target_prefix))
    error_message = "access_logging.target_prefix \"${var.access_logging.target_prefix}\" must be empty or folders ending in \"/\"."
  }
}

variable "transfer_acceleration" {
  description = "Turn on S3 Transfer Acceleration on the telemetry buckets (extra cost per GB; only useful across regions)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource the module creates."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(setsubtract(keys(var.tags), ["lgtm:module", "lgtm:app", "lgtm:store"])) <= 47
    error_message = "tags has ${length(var.tags)} entries, but every bucket also gets lgtm:module, lgtm:app and lgtm:store, and S3 allows 50 tags per bucket: give at most 47."
  }

  validation {
    condition     = alltrue([for key, value in var.tags : length(key) >= 1 && length(key) <= 128 && length(value) <= 256 && !startswith(lower(key), "aws:")])
    error_message = "${join(" and ", [for key, value in var.tags : "tags entry ${jsonencode(key)}" if !(length(key) >= 1 && length(key) <= 128 && length(value) <= 256 && !startswith(lower(key), "aws:"))])} is invalid: a tag key has 1 to 128 characters and cannot start with \"aws:\" (AWS reserves it), and a tag value has at most 256 characters."
  }
}
