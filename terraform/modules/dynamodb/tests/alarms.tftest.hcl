# CloudWatch alarms: only with a topic, two per table, to the topic, per table and operation.

mock_provider "aws" {}

variables {
  name_prefix        = "obs-prod"
  create_loki_tables = true
  kms_key_arns = {
    loki  = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
    mimir = "arn:aws:kms:eu-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef"
  }
}

run "no_topic_no_alarms" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 0 && length(output.alarm_arns) == 0
    error_message = "Tables without alarm_topic_arn must get no alarms."
  }
}

run "a_topic_gives_two_alarms_per_table" {
  command = plan

  variables {
    create_mimir_tables = true
    create_alarms       = true
    alarm_topic_arn     = "arn:aws:sns:eu-west-1:111122223333:obs-alerts"
    tags                = { env = "prod" }
  }

  assert {
    condition = toset(keys(aws_cloudwatch_metric_alarm.this)) == toset([
      "obs-prod-loki-index/throttled_requests", "obs-prod-loki-index/system_errors",
      "obs-prod-mimir-index/throttled_requests", "obs-prod-mimir-index/system_errors",
    ])
    error_message = "Each table must get one ThrottledRequests and one SystemErrors alarm."
  }

  assert {
    condition     = length(output.alarm_arns) == 4
    error_message = "output alarm_arns must list the four alarms."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["obs-prod-loki-index/throttled_requests"].alarm_name == "obs-prod-loki-index-throttled-requests" && aws_cloudwatch_metric_alarm.this["obs-prod-mimir-index/system_errors"].alarm_name == "obs-prod-mimir-index-system-errors"
    error_message = "Alarm names must name the table and the metric."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 4 && alltrue([for a in aws_cloudwatch_metric_alarm.this : a.alarm_actions == toset(["arn:aws:sns:eu-west-1:111122223333:obs-alerts"]) && a.ok_actions == toset(["arn:aws:sns:eu-west-1:111122223333:obs-alerts"])])
    error_message = "Every alarm must send its alarm and OK notifications to the topic."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 4 && alltrue([for a in aws_cloudwatch_metric_alarm.this : a.treat_missing_data == "notBreaching" && a.comparison_operator == "GreaterThanThreshold" && a.threshold == 0 && a.evaluation_periods == 1])
    error_message = "Every alarm must fire on a sum above 0 in one period and treat missing data as not breaching."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 4 && alltrue([for a in aws_cloudwatch_metric_alarm.this : a.tags == tomap({ env = "prod" })])
    error_message = "tags must reach every alarm."
  }

  assert {
    condition = toset([
      for q in aws_cloudwatch_metric_alarm.this["obs-prod-loki-index/throttled_requests"].metric_query : "${q.metric[0].metric_name}|${q.metric[0].dimensions["TableName"]}|${q.metric[0].dimensions["Operation"]}|${q.metric[0].stat}|${q.metric[0].period}"
      if length(q.metric) > 0
      ]) == toset([
      "ThrottledRequests|obs-prod-loki-index|BatchGetItem|Sum|300",
      "ThrottledRequests|obs-prod-loki-index|BatchWriteItem|Sum|300",
      "ThrottledRequests|obs-prod-loki-index|Query|Sum|300",
    ])
    error_message = "The throttling alarm must read ThrottledRequests of its own table per operation, summed over 5 minutes."
  }

  assert {
    condition = toset([
      for q in aws_cloudwatch_metric_alarm.this["obs-prod-mimir-index/system_errors"].metric_query : "${q.metric[0].metric_name}|${q.metric[0].dimensions["TableName"]}"
      if length(q.metric) > 0
    ]) == toset(["SystemErrors|obs-prod-mimir-index"])
    error_message = "The error alarm must read SystemErrors of its own table."
  }

  assert {
    condition = one([
      for q in aws_cloudwatch_metric_alarm.this["obs-prod-loki-index/system_errors"].metric_query : q
      if q.id == "total" && q.return_data == true && q.expression == "SUM([m0,m1,m2])"
    ]) != null
    error_message = "The alarm must evaluate the sum of all its per-operation metrics."
  }
}

run "thresholds_period_and_operations_are_configurable" {
  command = plan

  variables {
    create_alarms   = true
    alarm_topic_arn = "arn:aws:sns:eu-west-1:111122223333:obs-alerts"
    periodic_tables = {
      period_hours = 168
      first_period = 2900
      count        = 2
    }
    alarm_settings = {
      throttled_requests_threshold = 25
      system_errors_threshold      = 3
      period_seconds               = 60
      evaluation_periods           = 5
      operations                   = ["BatchWriteItem"]
    }
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 4
    error_message = "Two periodic tables must get two alarms each."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["obs-prod-loki-index-2901/throttled_requests"].threshold == 25 && aws_cloudwatch_metric_alarm.this["obs-prod-loki-index-2901/system_errors"].threshold == 3
    error_message = "Each alarm must use its own threshold."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 4 && alltrue([for a in aws_cloudwatch_metric_alarm.this : a.evaluation_periods == 5 && length(a.metric_query) == 2 && alltrue([for q in a.metric_query : length(q.metric) == 0 ? q.expression == "SUM([m0])" : q.metric[0].period == 60 && q.metric[0].dimensions["Operation"] == "BatchWriteItem"])])
    error_message = "period_seconds, evaluation_periods and operations must reach every alarm."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["obs-prod-loki-index-2900/throttled_requests"].alarm_name == "obs-prod-loki-index-2900-throttled-requests"
    error_message = "Alarms of periodic tables must name their table."
  }
}
