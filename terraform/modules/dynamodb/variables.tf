################################################################################
# What to create
################################################################################

variable "create_mimir_tables" {
  description = "Legacy, off by default: create the Mimir index table(s). Mimir itself reads no DynamoDB table (it keeps TSDB blocks in object storage); the table keeps the Cortex chunk-index schema (h/S, r/B) and only serves migrations away from Cortex chunks storage."
  type        = bool
  default     = false
  nullable    = false
}

variable "create_loki_tables" {
  description = "Legacy, off by default: create the Loki index table(s). Loki 3.x can still keep its index in DynamoDB (period_config store aws/aws-dynamo), deprecated since Loki 3.0 and removed in Loki 4.0; new installs use store tsdb with schema v13 on S3."
  type        = bool
  default     = false
  nullable    = false
}

variable "name_prefix" {
  description = "Prefix of every table name: a single table is named \"<name_prefix>-<app>-index\", periodic tables \"<name_prefix>-<app>-index-<period number>\" (app is loki or mimir)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]+$", var.name_prefix))
    error_message = "name_prefix \"${var.name_prefix}\" gives the table name \"${var.name_prefix}-loki-index\", which DynamoDB rejects because table names may only contain letters, digits, '_', '-' and '.' (and name_prefix must not be empty)."
  }

  # The longest name is the one of the app with the longer name that is switched on,
  # with the highest period number when tables are periodic.
  validation {
    condition = length(format("%s-%s-index%s",
      var.name_prefix,
      var.create_mimir_tables ? "mimir" : "loki",
      try(var.periodic_tables.period_hours != null ? "-${var.periodic_tables.first_period + var.periodic_tables.count - 1}" : "", "")
    )) <= 255
    error_message = "name_prefix is too long: the table name \"${format("%s-%s-index%s", var.name_prefix, var.create_mimir_tables ? "mimir" : "loki", try(var.periodic_tables.period_hours != null ? "-${var.periodic_tables.first_period + var.periodic_tables.count - 1}" : "", ""))}\" exceeds DynamoDB's limit of 255 characters."
  }
}

################################################################################
# Encryption
################################################################################

variable "kms_key_arns" {
  description = "Customer-managed KMS key ARN per app, used for the tables' server-side encryption (full key ARN, not an alias). The key of an app is required when its tables are created."
  type = object({
    mimir = optional(string)
    loki  = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.kms_key_arns.mimir == null ? true : can(regex("^arn:aws(-[a-z]+)*:kms:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", var.kms_key_arns.mimir))
    error_message = "kms_key_arns.mimir ${jsonencode(var.kms_key_arns.mimir)} is not a KMS key ARN of the form arn:<partition>:kms:<region>:<12-digit account>:key/<key id> (alias ARNs are not accepted)."
  }

  validation {
    condition     = var.kms_key_arns.loki == null ? true : can(regex("^arn:aws(-[a-z]+)*:kms:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", var.kms_key_arns.loki))
    error_message = "kms_key_arns.loki ${jsonencode(var.kms_key_arns.loki)} is not a KMS key ARN of the form arn:<partition>:kms:<region>:<12-digit account>:key/<key id> (alias ARNs are not accepted)."
  }

  validation {
    condition     = !var.create_mimir_tables || var.kms_key_arns.mimir != null
    error_message = "kms_key_arns.mimir must be set when create_mimir_tables is true, because every table is encrypted with its app's customer-managed KMS key."
  }

  validation {
    condition     = !var.create_loki_tables || var.kms_key_arns.loki != null
    error_message = "kms_key_arns.loki must be set when create_loki_tables is true, because every table is encrypted with its app's customer-managed KMS key."
  }
}

################################################################################
# Table layout
################################################################################

variable "periodic_tables" {
  description = "Periodic tables as Loki's legacy index expects them (index.prefix + period number, where period number = unix seconds / period seconds): period_hours (= Loki's index.period, a multiple of 24), first_period (the first period number to create) and count (how many consecutive periods, 1-400). null (default) creates one table per app."
  type = object({
    period_hours = optional(number)
    first_period = optional(number)
    count        = optional(number)
  })
  default = null

  validation {
    condition     = var.periodic_tables == null ? true : var.periodic_tables.period_hours != null
    error_message = "periodic_tables.period_hours must be set when periodic_tables is given, because periodic tables are numbered by their period."
  }

  validation {
    condition     = try(var.periodic_tables.period_hours, null) == null ? true : (var.periodic_tables.period_hours >= 24 && var.periodic_tables.period_hours % 24 == 0)
    error_message = "periodic_tables.period_hours (${try(jsonencode(var.periodic_tables.period_hours), "null")}) must be a positive multiple of 24."
  }

  validation {
    condition     = var.periodic_tables == null ? true : (var.periodic_tables.first_period == null ? false : (var.periodic_tables.first_period >= 0 && floor(var.periodic_tables.first_period) == var.periodic_tables.first_period))
    error_message = "periodic_tables.first_period (${try(jsonencode(var.periodic_tables.first_period), "null")}) must be a whole number >= 0 (the period number of the first table: unix seconds of its start / period seconds)."
  }

  validation {
    condition     = var.periodic_tables == null ? true : (var.periodic_tables.count == null ? false : (var.periodic_tables.count >= 1 && var.periodic_tables.count <= 400 && floor(var.periodic_tables.count) == var.periodic_tables.count))
    error_message = "periodic_tables.count (${try(jsonencode(var.periodic_tables.count), "null")}) must be a whole number from 1 to 400."
  }
}

variable "global_secondary_indexes" {
  description = "Optional global secondary indexes on every table (Loki itself uses none). Each: name, hash_key and hash_key_type (S, N or B), optional range_key with range_key_type, projection_type (ALL, KEYS_ONLY or INCLUDE; default ALL) and non_key_attributes (only, and required, for INCLUDE). An attribute shared with the table keys (h: S, r: B) or another index must keep the same type."
  type = list(object({
    name               = string
    hash_key           = string
    hash_key_type      = string
    range_key          = optional(string)
    range_key_type     = optional(string)
    projection_type    = optional(string, "ALL")
    non_key_attributes = optional(list(string))
  }))
  default  = []
  nullable = false

  validation {
    condition     = length(var.global_secondary_indexes) <= 20
    error_message = "global_secondary_indexes has ${length(var.global_secondary_indexes)} entries, but DynamoDB allows at most 20 per table."
  }

  validation {
    condition     = alltrue([for g in var.global_secondary_indexes : can(regex("^[a-zA-Z0-9_.-]{3,255}$", g.name))])
    error_message = "global_secondary_indexes name \"${try([for g in var.global_secondary_indexes : g.name if !can(regex("^[a-zA-Z0-9_.-]{3,255}$", g.name))][0], "")}\" must be 3 to 255 characters of letters, digits, '_', '-' and '.'."
  }

  validation {
    condition     = length(distinct([for g in var.global_secondary_indexes : g.name])) == length(var.global_secondary_indexes)
    error_message = "global_secondary_indexes names must be unique, but ${jsonencode([for n, c in { for g in var.global_secondary_indexes : g.name => g... } : n if length(c) > 1])} appear more than once."
  }

  validation {
    condition     = alltrue([for g in var.global_secondary_indexes : contains(["S", "N", "B"], g.hash_key_type)])
    error_message = "global_secondary_indexes entry \"${try([for g in var.global_secondary_indexes : g.name if !contains(["S", "N", "B"], g.hash_key_type)][0], "")}\" has hash_key_type \"${try([for g in var.global_secondary_indexes : g.hash_key_type if !contains(["S", "N", "B"], g.hash_key_type)][0], "")}\", but it must be S, N or B."
  }

  validation {
    condition     = alltrue([for g in var.global_secondary_indexes : g.range_key == null ? g.range_key_type == null : (g.range_key != g.hash_key && contains(["S", "N", "B"], coalesce(g.range_key_type, "-")))])
    error_message = "global_secondary_indexes entry \"${try([for g in var.global_secondary_indexes : g.name if !(g.range_key == null ? g.range_key_type == null : (g.range_key != g.hash_key && contains(["S", "N", "B"], coalesce(g.range_key_type, "-"))))][0], "")}\" needs range_key and range_key_type together, with range_key_type S, N or B and a range_key different from its hash_key."
  }

  validation {
    condition     = alltrue([for g in var.global_secondary_indexes : contains(["ALL", "KEYS_ONLY", "INCLUDE"], g.projection_type)])
    error_message = "global_secondary_indexes entry \"${try([for g in var.global_secondary_indexes : g.name if !contains(["ALL", "KEYS_ONLY", "INCLUDE"], g.projection_type)][0], "")}\" has projection_type \"${try([for g in var.global_secondary_indexes : g.projection_type if !contains(["ALL", "KEYS_ONLY", "INCLUDE"], g.projection_type)][0], "")}\", but it must be ALL, KEYS_ONLY or INCLUDE."
  }

  validation {
    condition     = alltrue([for g in var.global_secondary_indexes : g.projection_type == "INCLUDE" ? length(coalesce(g.non_key_attributes, [])) > 0 : length(coalesce(g.non_key_attributes, [])) == 0])
    error_message = "global_secondary_indexes entry \"${try([for g in var.global_secondary_indexes : g.name if(g.projection_type == "INCLUDE") != (length(coalesce(g.non_key_attributes, [])) > 0)][0], "")}\" must list non_key_attributes if and only if its projection_type is INCLUDE."
  }

  # An attribute is declared once per table, so the table keys and all index keys that share a
  # name must agree on its type.
  validation {
    condition     = length([for n in distinct(concat(["h", "r"], [for g in var.global_secondary_indexes : g.hash_key], [for g in var.global_secondary_indexes : g.range_key if g.range_key != null])) : n if length(distinct(concat(n == "h" ? ["S"] : [], n == "r" ? ["B"] : [], [for g in var.global_secondary_indexes : g.hash_key_type if g.hash_key == n], [for g in var.global_secondary_indexes : g.range_key_type if g.range_key == n]))) > 1]) == 0
    error_message = "global_secondary_indexes declare the attribute(s) ${jsonencode([for n in distinct(concat(["h", "r"], [for g in var.global_secondary_indexes : g.hash_key], [for g in var.global_secondary_indexes : g.range_key if g.range_key != null])) : n if length(distinct(concat(n == "h" ? ["S"] : [], n == "r" ? ["B"] : [], [for g in var.global_secondary_indexes : g.hash_key_type if g.hash_key == n], [for g in var.global_secondary_indexes : g.range_key_type if g.range_key == n]))) > 1])} with more than one type, but an attribute has one type per table (the table keys are h: S and r: B)."
  }
}

################################################################################
# Capacity
################################################################################

variable "billing" {
  description = "Capacity mode. PAY_PER_REQUEST (default) with an optional on-demand ceiling (on_demand.max_read_request_units / max_write_request_units, applied to the table and each index), or PROVISIONED with application auto scaling of reads and writes (provisioned.read / provisioned.write: min, max and target_utilization in percent, 20-90, default 70) for the table and each index."
  type = object({
    mode = optional(string, "PAY_PER_REQUEST")
    on_demand = optional(object({
      max_read_request_units  = optional(number)
      max_write_request_units = optional(number)
    }))
    provisioned = optional(object({
      read = object({
        min                = number
        max                = number
        target_utilization = optional(number, 70)
      })
      write = object({
        min                = number
        max                = number
        target_utilization = optional(number, 70)
      })
    }))
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["PAY_PER_REQUEST", "PROVISIONED"], var.billing.mode)
    error_message = "billing.mode \"${var.billing.mode}\" must be PAY_PER_REQUEST or PROVISIONED."
  }

  validation {
    condition     = var.billing.on_demand == null || var.billing.mode == "PAY_PER_REQUEST"
    error_message = "billing.on_demand (the on-demand throughput ceiling) only applies with billing.mode PAY_PER_REQUEST, not \"${var.billing.mode}\"."
  }

  validation {
    condition = var.billing.on_demand == null ? true : alltrue([
      for v in [var.billing.on_demand.max_read_request_units, var.billing.on_demand.max_write_request_units] : v == null ? true : (v >= 1 && floor(v) == v)
    ])
    error_message = "billing.on_demand ceilings (max_read_request_units = ${try(jsonencode(var.billing.on_demand.max_read_request_units), "null")}, max_write_request_units = ${try(jsonencode(var.billing.on_demand.max_write_request_units), "null")}) must be positive whole numbers or null."
  }

  validation {
    condition     = var.billing.mode != "PROVISIONED" || var.billing.provisioned != null
    error_message = "billing.provisioned (read and write min, max and target_utilization) must be set when billing.mode is PROVISIONED."
  }

  validation {
    condition     = var.billing.provisioned == null || var.billing.mode == "PROVISIONED"
    error_message = "billing.provisioned only applies with billing.mode PROVISIONED, not \"${var.billing.mode}\"."
  }

  validation {
    condition = var.billing.provisioned == null ? true : alltrue([
      for v in [var.billing.provisioned.read.min, var.billing.provisioned.read.max, var.billing.provisioned.write.min, var.billing.provisioned.write.max] : v >= 1 && floor(v) == v
    ])
    error_message = "billing.provisioned capacities (read ${try(var.billing.provisioned.read.min, "")}..${try(var.billing.provisioned.read.max, "")}, write ${try(var.billing.provisioned.write.min, "")}..${try(var.billing.provisioned.write.max, "")}) must be positive whole numbers."
  }

  validation {
    condition     = var.billing.provisioned == null ? true : (var.billing.provisioned.read.min <= var.billing.provisioned.read.max && var.billing.provisioned.write.min <= var.billing.provisioned.write.max)
    error_message = "billing.provisioned min must not exceed max, but read is ${try(var.billing.provisioned.read.min, "")}..${try(var.billing.provisioned.read.max, "")} and write is ${try(var.billing.provisioned.write.min, "")}..${try(var.billing.provisioned.write.max, "")}."
  }

  validation {
    condition = var.billing.provisioned == null ? true : alltrue([
      for v in [var.billing.provisioned.read.target_utilization, var.billing.provisioned.write.target_utilization] : v >= 20 && v <= 90
    ])
    error_message = "billing.provisioned target_utilization (read ${try(var.billing.provisioned.read.target_utilization, "")}, write ${try(var.billing.provisioned.write.target_utilization, "")}) must be between 20 and 90 percent."
  }
}

################################################################################
# Table settings
################################################################################

variable "point_in_time_recovery" {
  description = "Turn on point-in-time recovery (continuous backups) on every table."
  type        = bool
  default     = true
  nullable    = false
}

variable "deletion_protection" {
  description = "Turn on DynamoDB deletion protection on every table (turn it off first to destroy the tables)."
  type        = bool
  default     = true
  nullable    = false
}

variable "table_class" {
  description = "Table class of every table: STANDARD or STANDARD_INFREQUENT_ACCESS (cheaper storage, dearer requests)."
  type        = string
  default     = "STANDARD"
  nullable    = false

  validation {
    condition     = contains(["STANDARD", "STANDARD_INFREQUENT_ACCESS"], var.table_class)
    error_message = "table_class \"${var.table_class}\" must be STANDARD or STANDARD_INFREQUENT_ACCESS."
  }
}

variable "ttl_attribute" {
  description = "Name of a Number attribute holding an expiry time in unix seconds, to turn on DynamoDB time to live; null (default) leaves TTL off. Loki writes no such attribute, so this only helps other writers."
  type        = string
  default     = null

  validation {
    condition     = var.ttl_attribute == null ? true : (length(var.ttl_attribute) >= 1 && length(var.ttl_attribute) <= 255 && !contains(["h", "r", "c"], var.ttl_attribute))
    error_message = "ttl_attribute ${jsonencode(var.ttl_attribute)} must be 1 to 255 characters and not one of the index attributes h, r or c (which are not numbers)."
  }
}

variable "tags" {
  description = "Tags for every resource this module creates."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k in keys(var.tags) : !startswith(lower(k), "aws:")])
    error_message = "tags keys ${jsonencode([for k in keys(var.tags) : k if startswith(lower(k), "aws:")])} use the reserved prefix \"aws:\"."
  }

  validation {
    condition     = length(var.tags) <= 50
    error_message = "tags has ${length(var.tags)} entries, and DynamoDB allows at most 50 tags per table."
  }

  validation {
    condition     = alltrue([for key, value in var.tags : length(key) >= 1 && length(key) <= 128 && length(value) <= 256 && !startswith(lower(key), "aws:")])
    error_message = "${join(" and ", [for key, value in var.tags : "tags entry ${jsonencode(key)}" if !(length(key) >= 1 && length(key) <= 128 && length(value) <= 256 && !startswith(lower(key), "aws:"))])} is invalid: a tag key has 1 to 128 characters and cannot start with \"aws:\" in any letter case (AWS reserves it), and a tag value has at most 256 characters."
  }

  validation {
    condition     = !(var.create_loki_tables || var.create_mimir_tables) || alltrue([for key, value in var.tags : can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+-]*$", key)) && can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+-]*$", value))])
    error_message = "${join(" and ", [for key, value in var.tags : "tags entry ${jsonencode(key)}" if !(can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+-]*$", key)) && can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+-]*$", value)))])} has a character DynamoDB does not document for tags (the tables are created): a table's tags take letters, digits, spaces and + - = . _ : / only (no @)."
  }
}

################################################################################
# Alarms
################################################################################

variable "create_alarms" {
  description = "Create the per-table CloudWatch alarms (ThrottledRequests and SystemErrors) that notify alarm_topic_arn. A switch of its own because the topic ARN is often unknown until apply."
  type        = bool
  default     = false
  nullable    = false

  validation {
    condition     = !var.create_alarms || var.alarm_topic_arn != null
    error_message = "create_alarms is true but alarm_topic_arn is null: the alarms need an SNS topic to notify."
  }
}

variable "alarm_topic_arn" {
  description = "SNS topic ARN that receives the alarm and OK notifications of the per-table CloudWatch alarms (ThrottledRequests and SystemErrors) when create_alarms is true."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_topic_arn == null ? true : can(regex("^arn:aws(-[a-z]+)*:sns:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.alarm_topic_arn))
    error_message = "alarm_topic_arn ${jsonencode(var.alarm_topic_arn)} is not a standard SNS topic ARN of the form arn:<partition>:sns:<region>:<12-digit account>:<topic name>."
  }
}

variable "alarm_settings" {
  description = "Alarm tuning: an alarm fires when the sum over period_seconds is above throttled_requests_threshold (ThrottledRequests) or system_errors_threshold (SystemErrors) for evaluation_periods periods. Both metrics only exist per table and operation, so each alarm adds up the listed operations (1-10, the CloudWatch limit of metrics per alarm; the default covers what Loki and Cortex call)."
  type = object({
    throttled_requests_threshold = optional(number, 0)
    system_errors_threshold      = optional(number, 0)
    period_seconds               = optional(number, 300)
    evaluation_periods           = optional(number, 1)
    operations                   = optional(list(string), ["BatchGetItem", "BatchWriteItem", "Query"])
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.alarm_settings.throttled_requests_threshold >= 0 && var.alarm_settings.system_errors_threshold >= 0
    error_message = "alarm_settings thresholds (throttled_requests_threshold = ${var.alarm_settings.throttled_requests_threshold}, system_errors_threshold = ${var.alarm_settings.system_errors_threshold}) must not be negative."
  }

  validation {
    condition     = var.alarm_settings.period_seconds >= 60 && var.alarm_settings.period_seconds <= 86400 && var.alarm_settings.period_seconds % 60 == 0
    error_message = "alarm_settings.period_seconds (${var.alarm_settings.period_seconds}) must be a multiple of 60 from 60 to 86400."
  }

  validation {
    condition     = var.alarm_settings.evaluation_periods >= 1 && floor(var.alarm_settings.evaluation_periods) == var.alarm_settings.evaluation_periods && var.alarm_settings.evaluation_periods * var.alarm_settings.period_seconds <= 86400
    error_message = "alarm_settings.evaluation_periods (${var.alarm_settings.evaluation_periods}) must be a whole number >= 1 whose periods span at most one day."
  }

  validation {
    condition = (
      length(var.alarm_settings.operations) >= 1 &&
      length(var.alarm_settings.operations) <= 10 &&
      length(distinct(var.alarm_settings.operations)) == length(var.alarm_settings.operations) &&
      alltrue([for o in var.alarm_settings.operations : contains(["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems", "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction", "GetRecords"], o)])
    )
    error_message = "alarm_settings.operations ${jsonencode(var.alarm_settings.operations)} must list 1 to 10 distinct DynamoDB data-plane operations (such as BatchWriteItem, BatchGetItem, Query)."
  }
}
