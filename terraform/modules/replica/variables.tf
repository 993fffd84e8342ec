variable "name_prefix" {
  description = "Prefix of the replication role (\"<prefix>-replication\") and the replica key aliases (\"alias/<prefix>-<app>-replica\"). Replica buckets are named after their source: \"<source bucket>-replica\"."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]*[a-z0-9]$", var.name_prefix)) && length("${var.name_prefix}-replication") <= 64
    error_message = "name_prefix ${jsonencode(var.name_prefix)} must use only lowercase letters, digits and hyphens, and leave the role name \"<prefix>-replication\" within IAM's 64 characters."
  }
}

variable "sources" {
  description = "The buckets to replicate, keyed \"<app>-<store>\": exactly the s3-kms module's `replication_sources` output (each bucket versioned, SSE-KMS with a Bucket Key; versioned_name, when given, is the name read from the bucket's versioning resource, so the configuration waits for it). Each replica keeps its source's lifecycle rules, so the apps' retention holds in both regions."
  type = map(object({
    app            = string
    store          = string
    name           = string
    arn            = string
    versioned_name = optional(string)
    kms_key_arn    = string
    lifecycle_rules = list(object({
      id                     = string
      prefix                 = string
      abort_after_days       = number
      expiration_days        = number
      expire_delete_markers  = bool
      noncurrent_expire_days = number
      transitions = list(object({
        days          = number
        storage_class = string
      }))
    }))
  }))
  nullable = false

  validation {
    condition     = length(var.sources) > 0
    error_message = "sources is empty: give the s3-kms module's replication_sources output, or leave replication off."
  }

  validation {
    condition = alltrue([for key, s in var.sources : length("${s.name}-replica") <= 63])
    error_message = format("%s would exceed S3's 63-character bucket names: shorten name_prefix.", join(", ", [
      for key, s in var.sources : format("replica bucket %q (%d characters)", "${s.name}-replica", length(s.name) + 8) if length("${s.name}-replica") > 63
    ]))
  }

  validation {
    condition     = alltrue([for key, s in var.sources : contains(["mimir", "loki", "tempo"], s.app)])
    error_message = "sources holds buckets of ${join(", ", distinct([for key, s in var.sources : jsonencode(s.app) if !contains(["mimir", "loki", "tempo"], s.app)]))}: only mimir, loki and tempo keep data in S3."
  }
}

variable "shared_key" {
  description = "One replica key for every app (mirrors the s3-kms shared key strategy) instead of one per app."
  type        = bool
  nullable    = false
  default     = false
}

variable "kms" {
  description = "Settings of the replica keys (rotation is always on): deletion window, rotation period and the roles that administer them."
  type = object({
    deletion_window_in_days = optional(number, 30)
    rotation_period_in_days = optional(number, 365)
    administrator_arns      = optional(list(string), [])
  })
  nullable = false
  default  = {}

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
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete replica buckets that still hold objects. Keep false wherever data matters."
  type        = bool
  nullable    = false
  default     = false
}

variable "tag_keys" {
  description = "The reserved tag keys (the s3-kms module's `tag_keys` output): { module, app, store, kms_key }."
  type = object({
    module  = string
    app     = string
    store   = string
    kms_key = string
  })
  nullable = false
  default  = { module = "lgtm:module", app = "lgtm:app", store = "lgtm:store", kms_key = "lgtm:kms-key" }
}

variable "tags" {
  description = "Tags for every resource the module creates."
  type        = map(string)
  nullable    = false
  default     = {}
}
