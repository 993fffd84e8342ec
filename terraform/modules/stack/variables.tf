##############################################################################
# Identity of the stack
##############################################################################

variable "environment" {
  description = "Environment name (dev, prod, or your own): part of every resource name and tag."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,14}$", var.environment))
    error_message = "environment \"${var.environment}\" must be 1-15 lowercase letters, digits or hyphens, starting with a letter."
  }

  # The derived name prefix is lgtm-<environment>-<account id>, which names the audit trail too.
  validation {
    condition     = var.name_prefix != null || !var.audit_trail.enabled || !can(regex("--|-$", var.environment))
    error_message = "environment \"${var.environment}\" puts two hyphens together in the derived name prefix (lgtm-${var.environment}-<account id>), and with audit_trail on the trail named after it is one CloudTrail refuses (no two of . _ - next to each other)."
  }
}

variable "name_prefix" {
  description = "Prefix of every bucket, key alias, role and table. Null (the default) derives a globally unique one: \"lgtm-<environment>-<account id>\"."
  type        = string
  default     = null

  # The bucket rules are the s3-kms module's; this one is the audit trail's name.
  validation {
    condition     = var.name_prefix == null || !var.audit_trail.enabled || !can(regex("--", coalesce(var.name_prefix, "x")))
    error_message = "name_prefix ${jsonencode(var.name_prefix)} has two hyphens together, and with audit_trail on the trail is named \"${coalesce(var.name_prefix, "x")}-s3-data-events\", which CloudTrail refuses (no two of . _ - next to each other)."
  }
}

variable "eks_cluster_name" {
  description = "The EKS cluster in this account whose service accounts assume the roles (its OIDC issuer is looked up by name): the quick start's one cluster. Null when `clusters` lists every cluster."
  type        = string
  default     = null

  validation {
    condition     = var.eks_cluster_name == null || can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", coalesce(var.eks_cluster_name, "-")))
    error_message = "eks_cluster_name ${jsonencode(var.eks_cluster_name)} is not an EKS cluster name (1-100 letters, digits, hyphens, underscores)."
  }
}

variable "clusters" {
  description = <<-EOT
    Further EKS clusters whose service accounts assume the same roles (blue/green upgrades,
    several regions, clusters in other accounts), keyed by a name of your choice (the EKS name
    is the natural one). Per cluster: name, account_id (null: this account), the OIDC source of
    its IRSA apps (oidc_provider_arn registered here; issuer_url with create_oidc_provider = true
    to register it here; issuer_url alone to find it here; name alone for a cluster of this
    account) and workloads: the apps it runs, each with namespace and service_accounts (default:
    every app, as `workloads` sets them). A cluster in another account reaches the roles through
    its issuer registered in this account (docs/topology.md). Rules: iam module.
  EOT
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

  # The iam module checks every other rule; these name the stack's own first cluster.
  validation {
    condition     = var.eks_cluster_name != null || length(var.clusters) > 0
    error_message = "Neither eks_cluster_name nor clusters is set: name the EKS cluster whose service accounts use the stack (-var eks_cluster_name=...), or list the clusters."
  }

  validation {
    condition = var.eks_cluster_name == null || !anytrue([
      for key, c in var.clusters : key == var.eks_cluster_name || (c.name == var.eks_cluster_name && c.account_id == null)
    ])
    error_message = "${join(" and ", [for key, c in var.clusters : "clusters.${key}" if key == var.eks_cluster_name || (c.name == var.eks_cluster_name && c.account_id == null)])} repeats eks_cluster_name ${jsonencode(var.eks_cluster_name)}: a cluster is listed once, either as eks_cluster_name or in clusters."
  }
}

variable "apps" {
  description = "Applications of the stack: mimir, loki and tempo get storage and a role, grafana gets a role."
  type        = set(string)
  default     = ["mimir", "loki", "tempo", "grafana"]

  validation {
    condition     = alltrue([for app in var.apps : contains(["mimir", "loki", "tempo", "grafana"], app)])
    error_message = "apps contains ${jsonencode(setsubtract(var.apps, ["mimir", "loki", "tempo", "grafana"]))}: the known apps are mimir, loki, tempo and grafana."
  }
}

##############################################################################
# Storage (see the s3-kms module for each setting's rules)
##############################################################################

variable "retention_days" {
  description = "Days each application keeps data (its compactor enforces it; lifecycle rules follow it)."
  type = object({
    mimir = optional(number, 395)
    loki  = optional(number, 31)
    tempo = optional(number, 14)
  })
  default = {}
}

variable "mimir_blocks_expiry" {
  description = "Optional safety-net expiry on Mimir blocks for named tenant prefixes (s3-kms module)."
  type = object({
    days            = number
    tenant_prefixes = list(string)
  })
  default = null
}

variable "loki_chunks_expiry" {
  description = "Optional expiry of Loki chunks for named tenant prefixes (s3-kms module)."
  type = object({
    days            = number
    tenant_prefixes = list(string)
  })
  default = null
}

variable "loki_admin_bucket" {
  description = "Create Loki's admin bucket (enterprise edition only)."
  type        = bool
  default     = false
}

variable "storage_transitions" {
  description = "Storage-class transitions per app for its data bucket (s3-kms module)."
  type = object({
    mimir = optional(list(object({ days = number, storage_class = string })), [])
    loki  = optional(list(object({ days = number, storage_class = string })), [])
    tempo = optional(list(object({ days = number, storage_class = string })), [])
  })
  default = {}
}

variable "noncurrent_version_expiration_days" {
  description = "Days replaced or deleted object versions are kept."
  type        = number
  default     = 30
}

variable "kms" {
  description = "Key strategy and settings (s3-kms module): per_app, shared or existing keys; deletion window; rotation period; administrators (of this account, or of the accounts listed in external_administrator_accounts)."
  type = object({
    strategy                        = optional(string, "per_app")
    existing_key_arns               = optional(map(string), {})
    deletion_window_in_days         = optional(number, 30)
    rotation_period_in_days         = optional(number, 365)
    administrator_arns              = optional(list(string), [])
    external_administrator_accounts = optional(list(string), [])
  })
  default = {}
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete buckets that still hold objects (dev only)."
  type        = bool
  default     = false
}

variable "access_logging" {
  description = "S3 server access logging of the telemetry buckets (s3-kms module)."
  type = object({
    enabled        = optional(bool, false)
    target_bucket  = optional(string)
    target_prefix  = optional(string, "s3-access-logs/")
    retention_days = optional(number, 365)
  })
  default = {}
}

variable "transfer_acceleration" {
  description = "S3 Transfer Acceleration on the telemetry buckets."
  type        = bool
  default     = false
}

##############################################################################
# Identity (see the iam module)
##############################################################################

variable "workloads" {
  description = "Per app: the namespace and service accounts the chart creates (they become the trust subjects) and the identity mode, irsa (default) or pod_identity."
  type = map(object({
    namespace        = optional(string)
    service_accounts = optional(list(string))
    identity         = optional(string, "irsa")
  }))
  default = {}

  validation {
    condition     = alltrue([for app in keys(var.workloads) : contains(["mimir", "loki", "tempo", "grafana"], app)])
    error_message = "workloads has an unknown app ${jsonencode(setsubtract(keys(var.workloads), ["mimir", "loki", "tempo", "grafana"]))}: the known apps are mimir, loki, tempo and grafana."
  }

  # The iam module checks the same rules on its `apps` input; these name the input callers of
  # the stack (and the env roots) actually set, `workloads`.
  validation {
    condition     = alltrue([for app, cfg in var.workloads : contains(["irsa", "pod_identity"], cfg.identity)])
    error_message = "${join(" and ", [for app, cfg in var.workloads : "workloads.${app}.identity is ${jsonencode(cfg.identity)}" if !contains(["irsa", "pod_identity"], cfg.identity)])}: identity must be \"irsa\" or \"pod_identity\"."
  }

  validation {
    condition = alltrue([
      for app, cfg in var.workloads : cfg.namespace == null || (can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", cfg.namespace)) && try(length(cfg.namespace) <= 63, false))
    ])
    error_message = "${join(" and ", [
      for app, cfg in var.workloads : "workloads.${app}.namespace is ${jsonencode(cfg.namespace)}"
      if !(cfg.namespace == null || (can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", cfg.namespace)) && try(length(cfg.namespace) <= 63, false)))
    ])}: a namespace is a DNS-1123 label (at most 63 characters of a-z, 0-9 and \"-\", starting and ending with a letter or digit), never a wildcard."
  }

  validation {
    condition     = alltrue([for app, cfg in var.workloads : cfg.service_accounts == null || try(length(cfg.service_accounts) > 0, false)])
    error_message = "${join(" and ", [for app, cfg in var.workloads : "workloads.${app}.service_accounts" if !(cfg.service_accounts == null || try(length(cfg.service_accounts) > 0, false))])} is empty: list at least one service account, or leave it unset to use the app name."
  }

  validation {
    condition     = alltrue(flatten([for app, cfg in var.workloads : [for sa in coalesce(cfg.service_accounts, [app]) : !can(regex("[*?]", sa))]]))
    error_message = "${join(" and ", flatten([for app, cfg in var.workloads : [for sa in coalesce(cfg.service_accounts, [app]) : "workloads.${app}.service_accounts contains ${jsonencode(sa)}" if can(regex("[*?]", sa))]]))}: a role trusts exactly the service accounts named, so names cannot contain wildcards."
  }

  validation {
    # Wildcards are reported by the rule above, so this rule skips them.
    condition = alltrue(flatten([
      for app, cfg in var.workloads : [
        for sa in coalesce(cfg.service_accounts, [app]) : can(regex("[*?]", sa)) || (
          can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", sa)) && try(length(sa) <= 253, false)
        )
      ]
    ]))
    error_message = "${join(" and ", flatten([
      for app, cfg in var.workloads : [
        for sa in coalesce(cfg.service_accounts, [app]) : "workloads.${app}.service_accounts contains ${jsonencode(sa)}" if !(can(regex("[*?]", sa)) || (
          can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", sa)) && try(length(sa) <= 253, false)
        ))
      ]
    ]))}: a service-account name is a DNS-1123 subdomain (at most 253 characters of a-z, 0-9, \"-\" and \".\", each part starting and ending with a letter or digit)."
  }

  validation {
    condition     = alltrue([for app, cfg in var.workloads : length(distinct(coalesce(cfg.service_accounts, [app]))) == length(coalesce(cfg.service_accounts, [app]))])
    error_message = "${join(" and ", [for app, cfg in var.workloads : "workloads.${app}.service_accounts is ${jsonencode(cfg.service_accounts)}" if length(distinct(coalesce(cfg.service_accounts, [app]))) != length(coalesce(cfg.service_accounts, [app]))])}: each service account may be listed only once."
  }

  # A service account can use one role only; apps without a workloads entry keep the charts'
  # defaults (namespace and service account named after the app).
  validation {
    condition = length(flatten([
      for app in var.apps : [for sa in distinct(coalesce(try(var.workloads[app].service_accounts, null), [app])) : "${coalesce(try(var.workloads[app].namespace, null), app)}/${sa}"]
      ])) == length(distinct(flatten([
        for app in var.apps : [for sa in distinct(coalesce(try(var.workloads[app].service_accounts, null), [app])) : "${coalesce(try(var.workloads[app].namespace, null), app)}/${sa}"]
    ])))
    # format() rather than nested templates: checkov's HCL parser cannot read quotes inside ${}.
    error_message = format("%s in workloads: a service account can use only one role, so each namespace/service-account pair must belong to one app.", join(" and ", [
      for pair, owners in {
        for entry in flatten([
          for app in var.apps : [
            for sa in distinct(coalesce(try(var.workloads[app].service_accounts, null), [app])) : {
              pair = "${coalesce(try(var.workloads[app].namespace, null), app)}/${sa}"
              app  = app
            }
          ]
        ]) : entry.pair => entry.app...
      } : format("service account %s in namespace %s is claimed by %s", jsonencode(split("/", pair)[1]), jsonencode(split("/", pair)[0]), join(" and ", sort(owners))) if length(owners) > 1
    ]))
  }
}

variable "oidc" {
  description = "How IRSA finds the cluster's OIDC provider: an existing provider ARN, or create_provider to register the cluster's issuer; by default it is looked up from eks_cluster_name."
  type = object({
    provider_arn    = optional(string)
    issuer_url      = optional(string)
    create_provider = optional(bool, false)
  })
  default = {}
}

variable "grafana_access" {
  description = "Read-only AWS data sources Grafana's role may query (iam module). CloudWatch Logs needs the log groups named in cloudwatch_log_groups."
  type = object({
    cloudwatch_metrics        = optional(bool, true)
    cloudwatch_logs           = optional(bool, false)
    cloudwatch_log_groups     = optional(list(string), [])
    xray                      = optional(bool, false)
    prometheus_query          = optional(bool, false)
    prometheus_workspace_arns = optional(list(string), [])
  })
  default = {}
}

variable "iam" {
  description = "Role settings: permissions boundary, path, maximum session duration, and the trust policy size limit (IAM's default quota is 2,048 characters: about 4 clusters per role)."
  type = object({
    permissions_boundary_arn = optional(string)
    role_path                = optional(string, "/")
    max_session_duration     = optional(number, 3600)
    trust_policy_size_limit  = optional(number, 2048)
  })
  default = {}
}

##############################################################################
# Cross-region replication (see the replica module)
##############################################################################

variable "replication" {
  description = "Replicate every telemetry bucket into the region of the aws.replica provider: replica buckets and keys there, keeping each app's retention, and a least-privilege replication role (replica module). Off by default; it doubles storage and adds inter-region transfer."
  type = object({
    enabled = optional(bool, false)
  })
  default  = {}
  nullable = false
}

##############################################################################
# Legacy DynamoDB index tables (see the dynamodb module)
##############################################################################

variable "create_mimir_tables" {
  description = "Create the legacy Mimir/Cortex chunk-index table (Mimir itself never reads it)."
  type        = bool
  default     = false
}

variable "create_loki_tables" {
  description = "Create the legacy Loki 3.x DynamoDB index table(s) (deprecated in Loki 3.0, removed in 4.0)."
  type        = bool
  default     = false
}

variable "dynamodb" {
  description = "Settings of the legacy index tables: periodic tables, billing, deletion protection, table class, TTL attribute."
  type = object({
    periodic_tables = optional(object({
      period_hours = optional(number)
      first_period = optional(number)
      count        = optional(number)
    }))
    billing = optional(object({
      mode = optional(string, "PAY_PER_REQUEST")
      on_demand = optional(object({
        max_read_request_units  = optional(number)
        max_write_request_units = optional(number)
      }))
      provisioned = optional(object({
        read  = object({ min = number, max = number, target_utilization = optional(number, 70) })
        write = object({ min = number, max = number, target_utilization = optional(number, 70) })
      }))
    }), {})
    global_secondary_indexes = optional(list(object({
      name               = string
      hash_key           = string
      hash_key_type      = string
      range_key          = optional(string)
      range_key_type     = optional(string)
      projection_type    = optional(string, "ALL")
      non_key_attributes = optional(list(string))
    })), [])
    deletion_protection = optional(bool, true)
    table_class         = optional(string, "STANDARD")
    ttl_attribute       = optional(string)
  })
  default = {}
}

##############################################################################
# Operations: alerts and audit
##############################################################################

variable "alerts" {
  description = "An SNS alert topic (encrypted with the operations key) receiving CloudWatch alarms: S3 5xx errors on the data buckets and DynamoDB throttles/system errors. Email subscribers must confirm by mail."
  type = object({
    enabled         = optional(bool, false)
    email_addresses = optional(list(string), [])
  })
  default = {}

  validation {
    condition     = alltrue([for address in var.alerts.email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", address))])
    error_message = "alerts.email_addresses contains an address that is not an e-mail address: ${jsonencode(var.alerts.email_addresses)}."
  }
}

variable "audit_trail" {
  description = "A multi-Region CloudTrail trail recording S3 data events on the telemetry buckets, and read and write management events of every Region, into an encrypted, access-logged audit bucket (needs access_logging.enabled). read_write_type applies to the data events: WriteOnly (the default) records puts and deletes; All also records every read, which Mimir, Loki and Tempo issue constantly (see `obsctl cost`). management_events = false leaves management events to an organization trail that records them already (a second copy is billed)."
  type = object({
    enabled           = optional(bool, false)
    read_write_type   = optional(string, "WriteOnly")
    retention_days    = optional(number, 365)
    management_events = optional(bool, true)
  })
  default = {}

  validation {
    condition     = contains(["WriteOnly", "ReadOnly", "All"], var.audit_trail.read_write_type)
    error_message = "audit_trail.read_write_type \"${var.audit_trail.read_write_type}\" must be WriteOnly, ReadOnly or All."
  }

  validation {
    condition     = var.audit_trail.retention_days >= 1 && floor(var.audit_trail.retention_days) == var.audit_trail.retention_days
    error_message = "audit_trail.retention_days must be a whole number of at least 1."
  }
}

variable "tags" {
  description = "Tags for every resource (the stack adds lgtm:environment; its buckets carry 5 tags of the modules' own)."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(setsubtract(keys(var.tags), ["lgtm:environment", "lgtm:module", "lgtm:app", "lgtm:store", "lgtm:kms-key"])) <= 45
    error_message = "tags has ${length(setsubtract(keys(var.tags), ["lgtm:environment", "lgtm:module", "lgtm:app", "lgtm:store", "lgtm:kms-key"]))} entries of your own, but every bucket also gets lgtm:environment, lgtm:module, lgtm:app, lgtm:store and lgtm:kms-key, and S3 allows 50 tags per bucket: give at most 45."
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
    condition     = length(distinct([for key in setunion(keys(var.tags), ["lgtm:environment"]) : lower(key)])) == length(setunion(keys(var.tags), ["lgtm:environment"]))
    error_message = "tags has keys that differ only in letter case (${join(", ", sort([for key in setunion(keys(var.tags), ["lgtm:environment"]) : key if length([for other in setunion(keys(var.tags), ["lgtm:environment"]) : other if lower(other) == lower(key)]) > 1]))}), and IAM compares the tag keys of a role without case: keep one of each."
  }

  validation {
    condition     = !(var.create_loki_tables || var.create_mimir_tables) || alltrue([for key, value in var.tags : can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+-]*$", key)) && can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+-]*$", value))])
    error_message = "${join(" and ", [for key, value in var.tags : "tags entry ${jsonencode(key)}" if !(can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+-]*$", key)) && can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+-]*$", value)))])} has a character DynamoDB does not document for tags (create_loki_tables or create_mimir_tables is on): a table's tags take letters, digits, spaces and + - = . _ : / only (no @)."
  }

  validation {
    condition     = !(var.audit_trail.enabled) || alltrue([for key, value in var.tags : length(value) >= 1])
    error_message = "${join(" and ", [for key, value in var.tags : "tags entry ${jsonencode(key)}" if length(value) < 1])} has an empty value, but audit_trail is on and CloudTrail takes tag values of 1 to 256 characters: give it a value."
  }
}
