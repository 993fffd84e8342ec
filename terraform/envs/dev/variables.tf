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


variable "name_prefix" {
  description = "Prefix of every name; null derives \"lgtm-dev-<account id>\", unique across AWS."
  type        = string
  default     = null
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
  description = "Days each app keeps data (dev keeps little)."
  type = object({
    mimir = optional(number, 30)
    loki  = optional(number, 14)
    tempo = optional(number, 7)
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
}
