variable "region" {
  description = "AWS region of the stack."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$", var.region))
    error_message = "region ${jsonencode(var.region)} is not an AWS region name such as us-east-1 or eu-west-1."
  }
}

variable "eks_cluster_name" {
  description = "The EKS cluster running Mimir, Loki, Tempo and Grafana (its OIDC provider must be registered in IAM). Leave it unset only when `clusters` lists every cluster."
  type        = string
  default     = null
}

variable "clusters" {
  description = "Further EKS clusters whose service accounts assume the roles, keyed by name: name, account_id, issuer_url, oidc_provider_arn, create_oidc_provider and per-app workloads (stack module; docs/topology.md)."
  type = map(object({
    name                 = optional(string)
    account_id           = optional(string)
    issuer_url           = optional(string)
    oidc_provider_arn    = optional(string)
    create_oidc_provider = optional(bool, false)
    workloads = optional(map(object({
      namespace        = optional(string)
      service_accounts = optional(list(string))
    })))
  }))
  default  = {}
  nullable = false
}


variable "replica_region" {
  description = "A second region that receives a replica of every telemetry bucket, encrypted with keys of that region and keeping each app's retention (replica module). Null (the default): no replication."
  type        = string
  default     = null

  validation {
    condition     = var.replica_region == null || can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$", coalesce(var.replica_region, "-")))
    error_message = "replica_region ${jsonencode(var.replica_region)} is not an AWS region name such as us-west-2 or eu-central-1."
  }

  validation {
    condition     = var.replica_region != var.region
    error_message = "replica_region is ${jsonencode(var.replica_region)}, the stack's own region: a replica protects against the loss of a region only in another one."
  }
}

variable "name_prefix" {
  description = "Prefix of every name; null derives \"lgtm-prod-<account id>\", unique across AWS."
  type        = string
  default     = null

  # The bucket rules are the s3-kms module's; this one is the audit trail's, which prod has.
  validation {
    condition     = var.name_prefix == null || !can(regex("--", coalesce(var.name_prefix, "x")))
    error_message = "name_prefix ${jsonencode(var.name_prefix)} has two hyphens together, and the audit trail is named \"${coalesce(var.name_prefix, "x")}-s3-data-events\", which CloudTrail refuses (no two of . _ - next to each other)."
  }
}

variable "create_mimir_tables" {
  description = "Create the legacy Mimir/Cortex DynamoDB index table."
  type        = bool
  default     = false
}

variable "create_loki_tables" {
  description = "Create the legacy Loki 3.x DynamoDB index table."
  type        = bool
  default     = false
}

variable "retention_days" {
  description = "Days each app keeps data."
  type = object({
    mimir = optional(number, 395)
    loki  = optional(number, 31)
    tempo = optional(number, 14)
  })
  default = {}
}

variable "workloads" {
  description = "Per app: namespace, service accounts and identity mode (irsa or pod_identity), when they differ from the charts' defaults."
  type = map(object({
    namespace        = optional(string)
    service_accounts = optional(list(string))
    identity         = optional(string, "irsa")
  }))
  default = {}
}

variable "alert_email_addresses" {
  description = "E-mail addresses subscribed to the alert topic (each must confirm by mail)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for address in var.alert_email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", address))])
    error_message = "alert_email_addresses contains ${join(" and ", [for address in var.alert_email_addresses : jsonencode(address) if !can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", address))])}, which is not an e-mail address such as oncall@example.com."
  }
}

variable "kms_administrator_arns" {
  description = "IAM roles or users that administer the keys (never use them for data)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.kms_administrator_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/.+|user/.+)$", arn))])
    error_message = "kms_administrator_arns contains ${join(" and ", [for arn in var.kms_administrator_arns : jsonencode(arn) if !can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/.+|user/.+)$", arn))])}, which is not an IAM role, user or account-root ARN such as arn:aws:iam::111122223333:role/kms-admin."
  }
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(setsubtract(keys(var.tags), ["lgtm:managed-by", "lgtm:environment", "lgtm:module", "lgtm:app", "lgtm:store", "lgtm:kms-key"])) <= 44
    error_message = "tags has ${length(setsubtract(keys(var.tags), ["lgtm:managed-by", "lgtm:environment", "lgtm:module", "lgtm:app", "lgtm:store", "lgtm:kms-key"]))} entries of your own, but every bucket also gets the 6 tags lgtm:managed-by, lgtm:environment, lgtm:module, lgtm:app, lgtm:store and lgtm:kms-key, and S3 allows 50 tags per bucket: give at most 44."
  }

  validation {
    condition     = alltrue([for key, value in var.tags : length(key) >= 1 && length(key) <= 128 && length(value) <= 256 && !startswith(lower(key), "aws:") && !startswith(lower(value), "aws:")])
    error_message = "${join(" and ", [for key, value in var.tags : "tags entry ${jsonencode(key)}" if !(length(key) >= 1 && length(key) <= 128 && length(value) <= 256 && !startswith(lower(key), "aws:") && !startswith(lower(value), "aws:"))])} is invalid: a tag key has 1 to 128 characters and cannot start with \"aws:\" in any letter case (AWS reserves it, and IAM also for values), and a tag value has at most 256 characters."
  }

  validation {
    condition     = alltrue([for key, value in var.tags : can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]*$", key)) && can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]*$", value))])
    error_message = "${join(" and ", [for key, value in var.tags : "tags entry ${jsonencode(key)}" if !(can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]*$", key)) && can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]*$", value)))])} has a character AWS refuses in tags: keys and values take letters, digits, spaces and _ . : / = + - @ only."
  }

  validation {
    condition     = length(distinct([for key in setunion(keys(var.tags), ["lgtm:managed-by", "lgtm:environment"]) : lower(key)])) == length(setunion(keys(var.tags), ["lgtm:managed-by", "lgtm:environment"]))
    error_message = "tags has keys that differ only in letter case (${join(", ", sort([for key in setunion(keys(var.tags), ["lgtm:managed-by", "lgtm:environment"]) : key if length([for other in setunion(keys(var.tags), ["lgtm:managed-by", "lgtm:environment"]) : other if lower(other) == lower(key)]) > 1]))}), and IAM compares the tag keys of a role without case: keep one of each."
  }

  validation {
    condition     = !(var.create_loki_tables || var.create_mimir_tables) || alltrue([for key, value in var.tags : can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+-]*$", key)) && can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+-]*$", value))])
    error_message = "${join(" and ", [for key, value in var.tags : "tags entry ${jsonencode(key)}" if !(can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+-]*$", key)) && can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+-]*$", value)))])} has a character DynamoDB does not document for tags (create_loki_tables or create_mimir_tables is on): a table's tags take letters, digits, spaces and + - = . _ : / only (no @)."
  }

  validation {
    condition     = alltrue([for key, value in var.tags : length(value) >= 1])
    error_message = "${join(" and ", [for key, value in var.tags : "tags entry ${jsonencode(key)}" if length(value) < 1])} has an empty value, but prod records an audit trail, and CloudTrail takes tag values of 1 to 256 characters: give it a value."
  }
}
