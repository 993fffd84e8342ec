# Capacity: the on-demand ceiling, and PROVISIONED with application auto scaling.

mock_provider "aws" {}

variables {
  name_prefix        = "obs-prod"
  create_loki_tables = true
  kms_key_arns = {
    loki = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
  }
}

run "no_ceiling_by_default" {
  command = plan

  assert {
    condition     = length(aws_dynamodb_table.on_demand["obs-prod-loki-index"].on_demand_throughput) == 0
    error_message = "No on-demand ceiling may be set by default."
  }
}

run "on_demand_ceiling_reaches_table_and_indexes" {
  command = plan

  variables {
    billing = {
      on_demand = {
        max_read_request_units  = 4000
        max_write_request_units = 1000
      }
    }
    global_secondary_indexes = [
      { name = "by-tenant", hash_key = "tenant", hash_key_type = "S" },
    ]
  }

  assert {
    condition     = aws_dynamodb_table.on_demand["obs-prod-loki-index"].billing_mode == "PAY_PER_REQUEST"
    error_message = "A ceiling keeps PAY_PER_REQUEST billing."
  }

  assert {
    condition     = aws_dynamodb_table.on_demand["obs-prod-loki-index"].on_demand_throughput[0].max_read_request_units == 4000 && aws_dynamodb_table.on_demand["obs-prod-loki-index"].on_demand_throughput[0].max_write_request_units == 1000
    error_message = "The table must get the read and write ceilings."
  }

  assert {
    condition     = length([for g in aws_dynamodb_table.on_demand["obs-prod-loki-index"].global_secondary_index : g.name]) == 1 && alltrue([for g in aws_dynamodb_table.on_demand["obs-prod-loki-index"].global_secondary_index : g.on_demand_throughput[0].max_read_request_units == 4000 && g.on_demand_throughput[0].max_write_request_units == 1000])
    error_message = "Each index must get the same ceilings."
  }
}

run "on_demand_ceiling_may_cap_writes_only" {
  command = plan

  variables {
    billing = {
      mode = "PAY_PER_REQUEST"
      on_demand = {
        max_write_request_units = 500
      }
    }
  }

  assert {
    condition     = aws_dynamodb_table.on_demand["obs-prod-loki-index"].on_demand_throughput[0].max_write_request_units == 500
    error_message = "A write-only ceiling must be set."
  }
}

run "provisioned_tables_scale_reads_and_writes" {
  command = plan

  variables {
    billing = {
      mode = "PROVISIONED"
      provisioned = {
        read  = { min = 5, max = 200 }
        write = { min = 10, max = 500, target_utilization = 50 }
      }
    }
  }

  assert {
    condition     = length(aws_dynamodb_table.on_demand) == 0 && keys(aws_dynamodb_table.provisioned) == ["obs-prod-loki-index"]
    error_message = "PROVISIONED must create the table in the provisioned block only."
  }

  assert {
    condition     = aws_dynamodb_table.provisioned["obs-prod-loki-index"].billing_mode == "PROVISIONED"
    error_message = "The table must use PROVISIONED billing."
  }

  assert {
    condition     = aws_dynamodb_table.provisioned["obs-prod-loki-index"].read_capacity == 5 && aws_dynamodb_table.provisioned["obs-prod-loki-index"].write_capacity == 10
    error_message = "The table must start at the minimum read and write capacities."
  }

  assert {
    condition     = aws_dynamodb_table.provisioned["obs-prod-loki-index"].server_side_encryption[0].kms_key_arn == "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555" && aws_dynamodb_table.provisioned["obs-prod-loki-index"].point_in_time_recovery[0].enabled
    error_message = "Provisioned tables must keep SSE with the app key and PITR."
  }

  assert {
    condition     = toset(keys(aws_appautoscaling_target.this)) == toset(["obs-prod-loki-index/read", "obs-prod-loki-index/write"])
    error_message = "There must be one read and one write scalable target per table."
  }

  assert {
    condition = (
      aws_appautoscaling_target.this["obs-prod-loki-index/read"].resource_id == "table/obs-prod-loki-index" &&
      aws_appautoscaling_target.this["obs-prod-loki-index/read"].scalable_dimension == "dynamodb:table:ReadCapacityUnits" &&
      aws_appautoscaling_target.this["obs-prod-loki-index/read"].service_namespace == "dynamodb" &&
      aws_appautoscaling_target.this["obs-prod-loki-index/read"].min_capacity == 5 &&
      aws_appautoscaling_target.this["obs-prod-loki-index/read"].max_capacity == 200
    )
    error_message = "The read target must scale the table's read capacity from 5 to 200."
  }

  assert {
    condition = (
      aws_appautoscaling_target.this["obs-prod-loki-index/write"].scalable_dimension == "dynamodb:table:WriteCapacityUnits" &&
      aws_appautoscaling_target.this["obs-prod-loki-index/write"].min_capacity == 10 &&
      aws_appautoscaling_target.this["obs-prod-loki-index/write"].max_capacity == 500
    )
    error_message = "The write target must scale the table's write capacity from 10 to 500."
  }

  assert {
    condition = (
      aws_appautoscaling_policy.this["obs-prod-loki-index/read"].policy_type == "TargetTrackingScaling" &&
      aws_appautoscaling_policy.this["obs-prod-loki-index/read"].target_tracking_scaling_policy_configuration[0].target_value == 70 &&
      aws_appautoscaling_policy.this["obs-prod-loki-index/read"].target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "DynamoDBReadCapacityUtilization"
    )
    error_message = "The read policy must track DynamoDBReadCapacityUtilization at the default 70 %."
  }

  assert {
    condition = (
      aws_appautoscaling_policy.this["obs-prod-loki-index/write"].target_tracking_scaling_policy_configuration[0].target_value == 50 &&
      aws_appautoscaling_policy.this["obs-prod-loki-index/write"].target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "DynamoDBWriteCapacityUtilization" &&
      aws_appautoscaling_policy.this["obs-prod-loki-index/write"].resource_id == "table/obs-prod-loki-index" &&
      aws_appautoscaling_policy.this["obs-prod-loki-index/write"].scalable_dimension == "dynamodb:table:WriteCapacityUnits"
    )
    error_message = "The write policy must track DynamoDBWriteCapacityUtilization at 50 % on the table's write target."
  }

  assert {
    condition     = aws_appautoscaling_policy.this["obs-prod-loki-index/read"].name == "obs-prod-loki-index-read-utilization"
    error_message = "The policy name must name the table and the direction."
  }
}

run "provisioned_indexes_scale_too" {
  command = plan

  variables {
    create_mimir_tables = true
    kms_key_arns = {
      loki  = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
      mimir = "arn:aws:kms:eu-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef"
    }
    billing = {
      mode = "PROVISIONED"
      provisioned = {
        read  = { min = 1, max = 10 }
        write = { min = 2, max = 20 }
      }
    }
    global_secondary_indexes = [
      { name = "by-tenant", hash_key = "tenant", hash_key_type = "S" },
    ]
  }

  assert {
    condition     = length(aws_appautoscaling_target.this) == 8 && length(aws_appautoscaling_policy.this) == 8
    error_message = "Two tables with one index each need 2 x (table + index) x (read + write) = 8 targets and 8 policies."
  }

  assert {
    condition = (
      aws_appautoscaling_target.this["obs-prod-mimir-index/index/by-tenant/write"].resource_id == "table/obs-prod-mimir-index/index/by-tenant" &&
      aws_appautoscaling_target.this["obs-prod-mimir-index/index/by-tenant/write"].scalable_dimension == "dynamodb:index:WriteCapacityUnits" &&
      aws_appautoscaling_target.this["obs-prod-mimir-index/index/by-tenant/write"].min_capacity == 2 &&
      aws_appautoscaling_target.this["obs-prod-mimir-index/index/by-tenant/write"].max_capacity == 20
    )
    error_message = "Index targets must scale the index capacity with the write settings."
  }

  assert {
    condition     = length([for g in aws_dynamodb_table.provisioned["obs-prod-loki-index"].global_secondary_index : g.name]) == 1 && alltrue([for g in aws_dynamodb_table.provisioned["obs-prod-loki-index"].global_secondary_index : g.read_capacity == 1 && g.write_capacity == 2])
    error_message = "Indexes of a provisioned table must start at the minimum capacities."
  }
}
