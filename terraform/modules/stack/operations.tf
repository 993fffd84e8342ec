# The operations key encrypts what the stack itself produces: the alert topic and the audit
# trail. It is separate from the telemetry keys so that CloudWatch and CloudTrail, which need
# grants here, get nothing on the keys guarding metrics, logs and traces.
locals {
  operations_on   = var.alerts.enabled || var.audit_trail.enabled
  trail_name      = "${local.name_prefix}-s3-data-events"
  trail_arn       = "arn:${local.partition}:cloudtrail:${local.region}:${local.account_id}:trail/${local.trail_name}"
  alert_topic_arn = var.alerts.enabled ? aws_sns_topic.alerts[0].arn : null
}

resource "aws_kms_key" "operations" {
  count = local.operations_on ? 1 : 0

  description             = "LGTM operations (alerts, audit trail) for ${local.name_prefix}"
  deletion_window_in_days = var.kms.deletion_window_in_days
  enable_key_rotation     = true
  rotation_period_in_days = var.kms.rotation_period_in_days
  tags                    = merge(local.tags, { (local.tag_keys.app) = "operations" })
}

resource "aws_kms_key_policy" "operations" {
  count = local.operations_on ? 1 : 0

  key_id = aws_kms_key.operations[0].key_id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [{
        Sid       = "AccountRootDelegation"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      }],
      var.alerts.enabled ? [{
        # CloudWatch alarms publish to the encrypted topic with their own service identity.
        Sid       = "CloudWatchAlarmsPublishToEncryptedTopic"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      }] : [],
      var.audit_trail.enabled ? [{
        Sid       = "CloudTrailEncryptsThisTrailsLogs"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = ["kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
        Condition = {
          StringEquals = { "aws:SourceArn" = local.trail_arn }
          StringLike   = { "kms:EncryptionContext:aws:cloudtrail:arn" = "arn:${local.partition}:cloudtrail:*:${local.account_id}:trail/*" }
        }
      }] : [],
    )
  })
}

resource "aws_kms_alias" "operations" {
  count = local.operations_on ? 1 : 0

  name          = "alias/${local.name_prefix}-operations"
  target_key_id = aws_kms_key.operations[0].key_id
}

##############################################################################
# Alerts
##############################################################################

resource "aws_sns_topic" "alerts" {
  count = var.alerts.enabled ? 1 : 0

  name              = "${local.name_prefix}-alerts"
  kms_master_key_id = aws_kms_key.operations[0].arn
  tags              = local.tags
}

resource "aws_sns_topic_policy" "alerts" {
  count = var.alerts.enabled ? 1 : 0

  arn = aws_sns_topic.alerts[0].arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountManagesTheTopic"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action = [
          "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:AddPermission", "sns:RemovePermission",
          "sns:DeleteTopic", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish",
        ]
        Resource = aws_sns_topic.alerts[0].arn
      },
      {
        Sid       = "CloudWatchAlarmsOfThisAccountPublish"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = aws_sns_topic.alerts[0].arn
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
    ]
  })
}

resource "aws_sns_topic_subscription" "alerts" {
  for_each = var.alerts.enabled ? toset(var.alerts.email_addresses) : toset([])

  topic_arn = aws_sns_topic.alerts[0].arn
  protocol  = "email"
  endpoint  = each.value
}

# S3 publishes 5xx counts only for buckets with a request-metrics configuration (billed as
# CloudWatch metrics), so only the data buckets, where the apps' traffic goes, get one.
locals {
  data_buckets = var.alerts.enabled ? {
    for app, stores in module.storage.buckets : app => stores[{ mimir = "blocks", loki = "chunks", tempo = "traces" }[app]].name
  } : {}
}

resource "aws_s3_bucket_metric" "data" {
  for_each = local.data_buckets

  bucket = each.value
  name   = "EntireBucket"
}

resource "aws_cloudwatch_metric_alarm" "s3_server_errors" {
  for_each = local.data_buckets

  alarm_name          = "${each.value}-5xx-errors"
  alarm_description   = "S3 answers ${each.key}'s requests with server errors (5xx) beyond the retry noise."
  namespace           = "AWS/S3"
  metric_name         = "5xxErrors"
  dimensions          = { BucketName = each.value, FilterId = aws_s3_bucket_metric.data[each.key].name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  threshold           = 50
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts[0].arn]
  ok_actions          = [aws_sns_topic.alerts[0].arn]
  tags                = local.tags
}
