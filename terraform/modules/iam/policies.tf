##############################################################################
# Permission policies: one inline policy per concern per role.
# Every document is built with jsonencode() so tests can assert on the JSON.
##############################################################################

locals {
  # --- Object storage (Mimir, Loki, Tempo) ----------------------------------

  object_actions = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"]

  # Tempo tags objects on PutObject and on the CopyObject of meta.json during
  # compaction; without these two actions its compactor gets AccessDenied.
  object_tagging_actions = {
    tempo = ["s3:GetObjectTagging", "s3:PutObjectTagging"]
  }

  storage_policies = {
    for app, s in var.storage : app => jsonencode({
      Version = "2012-10-17"
      Statement = concat(
        [
          {
            Sid      = "ListBuckets"
            Effect   = "Allow"
            Action   = ["s3:ListBucket"]
            Resource = s.bucket_arns
          },
          {
            Sid      = "ReadWriteObjects"
            Effect   = "Allow"
            Action   = sort(concat(local.object_actions, lookup(local.object_tagging_actions, app, [])))
            Resource = [for arn in s.bucket_arns : "${arn}/*"]
          },
        ],
        # SSE-KMS: GenerateDataKey to write (incl. CreateMultipartUpload),
        # Decrypt to read and to upload parts. Full key ARNs only.
        length(coalesce(s.kms_key_arns, [])) == 0 ? [] : [
          {
            Sid      = "UseStorageKeys"
            Effect   = "Allow"
            Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
            Resource = s.kms_key_arns
          },
        ],
      )
    }) if contains(keys(local.apps), app)
  }

  # --- Legacy Loki DynamoDB index tables -------------------------------------
  # Only Loki (3.x, store aws/aws-dynamo) reads DynamoDB; a `mimir` or `tempo`
  # key is accepted for symmetry with other outputs but grants nothing.
  # No CreateTable/DeleteTable/UpdateTable/TagResource: Terraform owns the tables, their
  # capacity, streams, deletion protection and tags; the role reads and writes items only.

  loki_table_arns = contains(keys(local.apps), "loki") ? coalesce(lookup(var.dynamodb_table_arns, "loki", []), []) : []

  dynamodb_policies = length(local.loki_table_arns) == 0 ? {} : {
    loki = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Sid    = "UseIndexTables"
          Effect = "Allow"
          Action = [
            "dynamodb:BatchGetItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:DeleteItem",
            "dynamodb:DescribeTable",
            "dynamodb:GetItem",
            "dynamodb:ListTagsOfResource",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:UpdateItem",
          ]
          Resource = local.loki_table_arns
        },
        {
          Sid    = "ListTables"
          Effect = "Allow"
          Action = ["dynamodb:ListTables"]
          # dynamodb:ListTables has no resource-level permissions: "*" is the only valid Resource.
          Resource = "*"
        },
      ]
    })
  }

  # --- Grafana data sources (read-only) --------------------------------------

  grafana = var.grafana_access

  grafana_scoped_statements = concat(
    local.grafana.cloudwatch_metrics ? [
      {
        Sid      = "CloudWatchAlarmsRead"
        Effect   = "Allow"
        Action   = ["cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarms"]
        Resource = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:*"]
      },
      {
        Sid      = "CloudWatchInsightRulesRead"
        Effect   = "Allow"
        Action   = ["cloudwatch:GetInsightRuleReport"]
        Resource = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:insight-rule/*"]
      },
      {
        Sid      = "PerformanceInsightsRead"
        Effect   = "Allow"
        Action   = ["pi:GetResourceMetrics"]
        Resource = ["arn:${local.partition}:pi:${local.region}:${local.account_id}:metrics/rds/*"]
      },
    ] : [],
    local.grafana.cloudwatch_logs ? [
      {
        Sid    = "CloudWatchLogsRead"
        Effect = "Allow"
        Action = ["logs:GetLogEvents", "logs:GetLogGroupFields", "logs:GetQueryResults", "logs:StartQuery"]
        # Only the log groups the caller names, and their streams (":log-stream:<name>").
        Resource = sort(flatten([
          for group in local.grafana.cloudwatch_log_groups : [
            "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${group}",
            "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${group}:log-stream:*",
          ]
        ]))
      },
    ] : [],
    local.grafana.prometheus_query ? [
      {
        Sid      = "ManagedPrometheusQuery"
        Effect   = "Allow"
        Action   = ["aps:GetLabels", "aps:GetMetricMetadata", "aps:GetSeries", "aps:QueryMetrics"]
        Resource = length(local.grafana.prometheus_workspace_arns) > 0 ? local.grafana.prometheus_workspace_arns : ["arn:${local.partition}:aps:${local.region}:${local.account_id}:workspace/*"]
      },
    ] : [],
  )

  # Actions that AWS cannot scope to a resource: each needs Resource "*".
  grafana_unscopable_actions = sort(distinct(concat(
    local.grafana.cloudwatch_metrics ? [
      "cloudwatch:DescribeAlarmsForMetric", # no resource-level permissions
      "cloudwatch:GetMetricData",           # no resource-level permissions
      "cloudwatch:ListMetrics",             # no resource-level permissions
      "ec2:DescribeInstances",              # no resource-level permissions
      "ec2:DescribeRegions",                # no resource-level permissions
      "ec2:DescribeTags",                   # no resource-level permissions
      "tag:GetResources",                   # no resource-level permissions
    ] : [],
    local.grafana.cloudwatch_logs ? [
      "logs:DescribeLogGroups", # no resource-level permissions
      "logs:StopQuery",         # takes a query id, no resource-level permissions
    ] : [],
    local.grafana.xray ? [
      "ec2:DescribeRegions",                 # no resource-level permissions
      "xray:BatchGetTraces",                 # no resource-level permissions
      "xray:GetGroups",                      # no resource-level permissions
      "xray:GetInsight",                     # no resource-level permissions
      "xray:GetInsightSummaries",            # no resource-level permissions
      "xray:GetTimeSeriesServiceStatistics", # no resource-level permissions
      "xray:GetTraceGraph",                  # no resource-level permissions
      "xray:GetTraceSummaries",              # no resource-level permissions
    ] : [],
  )))

  grafana_statements = concat(
    local.grafana_scoped_statements,
    length(local.grafana_unscopable_actions) == 0 ? [] : [
      {
        Sid      = "ReadOnlyWithoutResourceLevelPermissions"
        Effect   = "Allow"
        Action   = local.grafana_unscopable_actions
        Resource = "*"
      },
    ],
  )

  grafana_policies = contains(keys(local.apps), "grafana") && length(local.grafana_statements) > 0 ? {
    grafana = jsonencode({
      Version   = "2012-10-17"
      Statement = local.grafana_statements
    })
  } : {}
}

resource "aws_iam_role_policy" "storage" {
  for_each = local.storage_policies

  name   = "object-storage"
  role   = aws_iam_role.this[each.key].name
  policy = each.value
}

resource "aws_iam_role_policy" "dynamodb" {
  for_each = local.dynamodb_policies

  name   = "dynamodb-index-tables"
  role   = aws_iam_role.this[each.key].name
  policy = each.value
}

resource "aws_iam_role_policy" "grafana" {
  for_each = local.grafana_policies

  name   = "aws-data-sources-read-only"
  role   = aws_iam_role.this[each.key].name
  policy = each.value
}

##############################################################################
# Nothing else: policies added to a role outside Terraform (inline or attached)
# are removed on the next apply instead of surviving it unnoticed.
##############################################################################

resource "aws_iam_role_policies_exclusive" "this" {
  for_each = local.apps

  role_name = aws_iam_role.this[each.key].name
  policy_names = concat(
    [for app, policy in aws_iam_role_policy.storage : policy.name if app == each.key],
    [for app, policy in aws_iam_role_policy.dynamodb : policy.name if app == each.key],
    [for app, policy in aws_iam_role_policy.grafana : policy.name if app == each.key],
  )
}

resource "aws_iam_role_policy_attachments_exclusive" "this" {
  for_each = local.apps

  role_name   = aws_iam_role.this[each.key].name
  policy_arns = []
}
