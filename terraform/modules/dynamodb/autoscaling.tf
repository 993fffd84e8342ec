################################################################################
# Application auto scaling (billing.mode = PROVISIONED only)
#
# One scalable target and one target-tracking policy per table (and per index) and per
# direction, keyed "<table>/read", "<table>/write", "<table>/index/<index>/read", ...
################################################################################

locals {
  scaling_directions = local.provisioned ? {
    read = {
      settings  = var.billing.provisioned.read
      dimension = "ReadCapacityUnits"
      metric    = "DynamoDBReadCapacityUtilization"
    }
    write = {
      settings  = var.billing.provisioned.write
      dimension = "WriteCapacityUnits"
      metric    = "DynamoDBWriteCapacityUtilization"
    }
  } : {}

  scaling = merge([
    for table in keys(local.tables) : merge(
      {
        for direction, d in local.scaling_directions : "${table}/${direction}" => {
          table     = table
          index     = null
          direction = direction
          name      = "${table}-${direction}-utilization"
          dimension = "dynamodb:table:${d.dimension}"
          metric    = d.metric
          min       = d.settings.min
          max       = d.settings.max
          target    = d.settings.target_utilization
        }
      },
      {
        for pair in setproduct([for g in var.global_secondary_indexes : g.name], keys(local.scaling_directions)) :
        "${table}/index/${pair[0]}/${pair[1]}" => {
          table     = table
          index     = pair[0]
          direction = pair[1]
          name      = "${table}-${pair[0]}-${pair[1]}-utilization"
          dimension = "dynamodb:index:${local.scaling_directions[pair[1]].dimension}"
          metric    = local.scaling_directions[pair[1]].metric
          min       = local.scaling_directions[pair[1]].settings.min
          max       = local.scaling_directions[pair[1]].settings.max
          target    = local.scaling_directions[pair[1]].settings.target_utilization
        }
      },
    )
  ]...)
}

resource "aws_appautoscaling_target" "this" {
  for_each = local.scaling

  service_namespace  = "dynamodb"
  resource_id        = each.value.index == null ? "table/${aws_dynamodb_table.provisioned[each.value.table].name}" : "table/${aws_dynamodb_table.provisioned[each.value.table].name}/index/${each.value.index}"
  scalable_dimension = each.value.dimension
  min_capacity       = each.value.min
  max_capacity       = each.value.max

  tags = var.tags
}

resource "aws_appautoscaling_policy" "this" {
  for_each = local.scaling

  name               = each.value.name
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.this[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.this[each.key].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value = each.value.target

    predefined_metric_specification {
      predefined_metric_type = each.value.metric
    }
  }

  lifecycle {
    precondition {
      condition     = length(each.value.name) <= 255
      error_message = "The auto scaling policy name \"${each.value.name}\" of table \"${each.value.table}\" is longer than 255 characters, so shorten name_prefix or the index name."
    }
  }
}
