# With only the required name_prefix, the module is off: no table, no scaling, no alarm.

mock_provider "aws" {}

variables {
  name_prefix = "obs-dev"
}

run "defaults_create_no_resources" {
  command = plan

  assert {
    condition     = length(aws_dynamodb_table.on_demand) == 0 && length(aws_dynamodb_table.provisioned) == 0
    error_message = "No table may be created when create_loki_tables and create_mimir_tables are false."
  }

  assert {
    condition     = length(aws_appautoscaling_target.this) == 0 && length(aws_appautoscaling_policy.this) == 0
    error_message = "No auto scaling may be created by default."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 0
    error_message = "No alarm may be created by default."
  }
}

run "defaults_give_empty_outputs" {
  command = plan

  assert {
    condition     = length(output.tables.loki) == 0 && length(output.tables.mimir) == 0
    error_message = "output tables must hold an empty list per app when the tables are off."
  }

  assert {
    condition     = length(output.table_arns.loki) == 0 && length(output.table_arns.mimir) == 0
    error_message = "output table_arns must hold an empty list per app when the tables are off."
  }

  assert {
    condition     = output.index_prefix.loki == null && output.index_prefix.mimir == null
    error_message = "output index_prefix must be null per app when the tables are off."
  }

  assert {
    condition     = output.period_hours == null
    error_message = "output period_hours must be null without periodic tables."
  }

  assert {
    condition     = length(output.alarm_arns) == 0
    error_message = "output alarm_arns must be empty without alarm_topic_arn."
  }
}

run "defaults_need_no_kms_key_while_tables_are_off" {
  command = plan

  variables {
    create_alarms   = true
    alarm_topic_arn = "arn:aws:sns:eu-west-1:111122223333:obs-alerts"
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 0
    error_message = "A topic without any table must not create alarms."
  }
}
