################################################################################
# Names and settings
################################################################################

locals {
  apps = ["loki", "mimir"]

  enabled = {
    loki  = var.create_loki_tables
    mimir = var.create_mimir_tables
  }

  periodic = var.periodic_tables != null

  # Loki names a periodic table <index.prefix><unix seconds / period seconds>.
  period_numbers = local.periodic ? range(var.periodic_tables.first_period, var.periodic_tables.first_period + var.periodic_tables.count) : []

  # What Loki's index.prefix is set to: the prefix of the periodic tables, or the single table's name.
  index_prefix = {
    for app in local.apps : app => local.periodic ? "${var.name_prefix}-${app}-index-" : "${var.name_prefix}-${app}-index"
  }

  # Ordered table names per app (in period order, which a map's lexical key order is not).
  table_names = {
    for app in local.apps : app => !local.enabled[app] ? [] : (
      local.periodic ? [for n in local.period_numbers : "${local.index_prefix[app]}${n}"] : [local.index_prefix[app]]
    )
  }

  # Every table to create, keyed by its name.
  tables = merge([
    for app in local.apps : {
      for name in local.table_names[app] : name => {
        app         = app
        kms_key_arn = var.kms_key_arns[app]
      }
    }
  ]...)

  # Hash key h (S) and range key r (B) as Loki and Cortex create them (the value attribute c is
  # not a key, and DynamoDB declares key attributes only), plus the index keys, each declared once.
  attributes = {
    for name, types in {
      for a in concat(
        [{ name = "h", type = "S" }, { name = "r", type = "B" }],
        [for g in var.global_secondary_indexes : { name = g.hash_key, type = g.hash_key_type }],
        [for g in var.global_secondary_indexes : { name = g.range_key, type = g.range_key_type } if g.range_key != null],
      ) : a.name => a.type...
    } : name => types[0]
  }

  provisioned = var.billing.mode == "PROVISIONED" && var.billing.provisioned != null

  on_demand_ceiling = (
    var.billing.on_demand == null ? [] :
    var.billing.on_demand.max_read_request_units == null && var.billing.on_demand.max_write_request_units == null ? [] :
    [var.billing.on_demand]
  )
}

################################################################################
# Tables
#
# Two resource blocks because a lifecycle block cannot be conditional: PROVISIONED tables leave
# their capacities (table and indexes) to application auto scaling, PAY_PER_REQUEST tables do not
# ignore anything. See the README for moving an existing table from one mode to the other.
################################################################################

resource "aws_dynamodb_table" "on_demand" {
  for_each = var.billing.mode == "PAY_PER_REQUEST" ? local.tables : {}

  name                        = each.key
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "h"
  range_key                   = "r"
  table_class                 = var.table_class
  deletion_protection_enabled = var.deletion_protection

  dynamic "attribute" {
    for_each = local.attributes
    content {
      name = attribute.key
      type = attribute.value
    }
  }

  dynamic "global_secondary_index" {
    for_each = var.global_secondary_indexes
    content {
      name               = global_secondary_index.value.name
      hash_key           = global_secondary_index.value.hash_key
      range_key          = global_secondary_index.value.range_key
      projection_type    = global_secondary_index.value.projection_type
      non_key_attributes = global_secondary_index.value.projection_type == "INCLUDE" ? global_secondary_index.value.non_key_attributes : null

      dynamic "on_demand_throughput" {
        for_each = local.on_demand_ceiling
        content {
          max_read_request_units  = on_demand_throughput.value.max_read_request_units
          max_write_request_units = on_demand_throughput.value.max_write_request_units
        }
      }
    }
  }

  dynamic "on_demand_throughput" {
    for_each = local.on_demand_ceiling
    content {
      max_read_request_units  = on_demand_throughput.value.max_read_request_units
      max_write_request_units = on_demand_throughput.value.max_write_request_units
    }
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = each.value.kms_key_arn
  }

  dynamic "ttl" {
    for_each = var.ttl_attribute == null ? [] : [var.ttl_attribute]
    content {
      enabled        = true
      attribute_name = ttl.value
    }
  }

  tags = var.tags
}

resource "aws_dynamodb_table" "provisioned" {
  for_each = local.provisioned ? local.tables : {}

  name                        = each.key
  billing_mode                = "PROVISIONED"
  read_capacity               = var.billing.provisioned.read.min
  write_capacity              = var.billing.provisioned.write.min
  hash_key                    = "h"
  range_key                   = "r"
  table_class                 = var.table_class
  deletion_protection_enabled = var.deletion_protection

  dynamic "attribute" {
    for_each = local.attributes
    content {
      name = attribute.key
      type = attribute.value
    }
  }

  dynamic "global_secondary_index" {
    for_each = var.global_secondary_indexes
    content {
      name               = global_secondary_index.value.name
      hash_key           = global_secondary_index.value.hash_key
      range_key          = global_secondary_index.value.range_key
      projection_type    = global_secondary_index.value.projection_type
      non_key_attributes = global_secondary_index.value.projection_type == "INCLUDE" ? global_secondary_index.value.non_key_attributes : null
      read_capacity      = var.billing.provisioned.read.min
      write_capacity     = var.billing.provisioned.write.min
    }
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = each.value.kms_key_arn
  }

  dynamic "ttl" {
    for_each = var.ttl_attribute == null ? [] : [var.ttl_attribute]
    content {
      enabled        = true
      attribute_name = ttl.value
    }
  }

  tags = var.tags

  lifecycle {
    # Auto scaling owns the capacities. The provider cannot ignore only the capacities of an
    # index, so index changes on an existing PROVISIONED table are ignored too (see README).
    ignore_changes = [read_capacity, write_capacity, global_secondary_index]
  }
}

locals {
  table_arns_by_name = merge(
    { for name, t in aws_dynamodb_table.on_demand : name => t.arn },
    { for name, t in aws_dynamodb_table.provisioned : name => t.arn },
  )
}
