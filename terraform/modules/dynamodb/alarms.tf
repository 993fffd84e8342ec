################################################################################
# CloudWatch alarms (when create_alarms is true, sent to alarm_topic_arn)
#
# DynamoDB publishes ThrottledRequests and SystemErrors per TableName *and* Operation, and
# CloudWatch does not aggregate over a dimension an alarm leaves out: an alarm on TableName
# alone would never see a data point. Each alarm therefore reads the metric once per listed
# operation and alarms on their sum.
################################################################################

locals {
  # A separate switch: the topic's ARN is often unknown until apply, and for_each keys
  # must be known at plan.
  alarm_tables = var.create_alarms ? local.tables : {}

  alarm_metrics = {
    throttled_requests = {
      metric    = "ThrottledRequests"
      suffix    = "throttled-requests"
      threshold = var.alarm_settings.throttled_requests_threshold
      what      = "requests throttled"
    }
    system_errors = {
      metric    = "SystemErrors"
      suffix    = "system-errors"
      threshold = var.alarm_settings.system_errors_threshold
      what      = "requests failed with a DynamoDB server error (HTTP 500)"
    }
  }

  alarms = merge([
    for table in keys(local.alarm_tables) : {
      for kind, m in local.alarm_metrics : "${table}/${kind}" => merge(m, {
        table = table
        name  = "${table}-${m.suffix}"
      })
    }
  ]...)
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = each.value.name
  alarm_description   = "DynamoDB table ${each.value.table}: more than ${each.value.threshold} ${each.value.what} in ${var.alarm_settings.period_seconds} s (operations ${join(", ", var.alarm_settings.operations)})."
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  evaluation_periods  = var.alarm_settings.evaluation_periods
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_topic_arn]
  ok_actions          = [var.alarm_topic_arn]

  metric_query {
    id          = "total"
    expression  = "SUM([${join(",", [for i, _ in var.alarm_settings.operations : "m${i}"])}])"
    label       = "${each.value.metric} (sum of operations)"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = var.alarm_settings.operations
    content {
      id = "m${metric_query.key}"

      metric {
        namespace   = "AWS/DynamoDB"
        metric_name = each.value.metric
        period      = var.alarm_settings.period_seconds
        stat        = "Sum"
        dimensions = {
          TableName = each.value.table
          Operation = metric_query.value
        }
      }
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = length(each.value.name) <= 255
      error_message = "The alarm name \"${each.value.name}\" of table \"${each.value.table}\" is longer than 255 characters, so shorten name_prefix."
    }
  }
}
