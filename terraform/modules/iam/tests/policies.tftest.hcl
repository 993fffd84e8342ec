# Permission policies: storage per app, legacy Loki DynamoDB tables and
# Grafana's read-only data sources, all asserted on the exact JSON.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  name_prefix  = "obs"
  cluster_name = "lgtm"
  storage = {
    mimir = {
      bucket_arns  = ["arn:aws:s3:::obs-mimir-blocks", "arn:aws:s3:::obs-mimir-ruler", "arn:aws:s3:::obs-mimir-alertmanager"]
      kms_key_arns = ["arn:aws:kms:us-east-1:123456789012:key/11111111-1111-4111-8111-111111111111"]
    }
    loki = {
      bucket_arns  = ["arn:aws:s3:::obs-loki-chunks", "arn:aws:s3:::obs-loki-ruler"]
      kms_key_arns = ["arn:aws:kms:us-east-1:123456789012:key/22222222-2222-4222-8222-222222222222"]
    }
    tempo = {
      bucket_arns  = ["arn:aws:s3:::obs-tempo-traces"]
      kms_key_arns = ["arn:aws:kms:us-east-1:123456789012:key/33333333-3333-4333-8333-333333333333"]
    }
  }
}

# --- Object storage ----------------------------------------------------------------

run "storage_policy_grants_each_app_only_its_buckets_and_keys" {
  command = plan

  assert {
    condition     = toset(keys(aws_iam_role_policy.storage)) == toset(["mimir", "loki", "tempo"])
    error_message = "Mimir, Loki and Tempo must each get a storage policy, and Grafana none."
  }

  assert {
    condition     = alltrue([for app, p in aws_iam_role_policy.storage : p.role == "obs-${app}"])
    error_message = "Each storage policy must be attached to its own app's role."
  }

  assert {
    condition     = alltrue([for app, p in aws_iam_role_policy.storage : [for s in jsondecode(p.policy).Statement : s.Sid] == ["ListBuckets", "ReadWriteObjects", "UseStorageKeys"]])
    error_message = "Each storage policy must have exactly the ListBuckets, ReadWriteObjects and UseStorageKeys statements."
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.storage["loki"].policy).Statement == [
      {
        Sid      = "ListBuckets"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = ["arn:aws:s3:::obs-loki-chunks", "arn:aws:s3:::obs-loki-ruler"]
      },
      {
        Sid      = "ReadWriteObjects"
        Effect   = "Allow"
        Action   = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
        Resource = ["arn:aws:s3:::obs-loki-chunks/*", "arn:aws:s3:::obs-loki-ruler/*"]
      },
      {
        Sid      = "UseStorageKeys"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = ["arn:aws:kms:us-east-1:123456789012:key/22222222-2222-4222-8222-222222222222"]
      },
    ]
    error_message = "Loki's storage policy must be exactly ListBucket on its buckets, object read/write on their objects and the two KMS actions on its key."
  }

  assert {
    condition = alltrue([
      for app, p in aws_iam_role_policy.storage : toset(jsondecode(p.policy).Statement[0].Resource) == toset(var.storage[app].bucket_arns) &&
      toset(jsondecode(p.policy).Statement[1].Resource) == toset([for b in var.storage[app].bucket_arns : "${b}/*"]) &&
      toset(jsondecode(p.policy).Statement[2].Resource) == toset(var.storage[app].kms_key_arns)
    ])
    error_message = "Every app's storage statements must name exactly its own bucket, object and key ARNs."
  }
}

run "loki_grants_nothing_on_mimir_or_tempo_storage" {
  command = plan

  assert {
    condition = length(setintersection(
      toset(flatten([for s in jsondecode(aws_iam_role_policy.storage["loki"].policy).Statement : s.Resource])),
      toset(flatten([for app in ["mimir", "tempo"] : concat(
        var.storage[app].bucket_arns, [for b in var.storage[app].bucket_arns : "${b}/*"], var.storage[app].kms_key_arns
      )]))
    )) == 0
    error_message = "Loki's policy must not name any Mimir or Tempo bucket, object ARN or key."
  }

  assert {
    condition = length(setintersection(
      toset(flatten([for s in jsondecode(aws_iam_role_policy.storage["mimir"].policy).Statement : s.Resource])),
      toset(flatten([for s in jsondecode(aws_iam_role_policy.storage["tempo"].policy).Statement : s.Resource]))
    )) == 0
    error_message = "Mimir's and Tempo's storage ARNs must be disjoint."
  }

  assert {
    condition     = contains(flatten([for s in jsondecode(aws_iam_role_policy.storage["loki"].policy).Statement : s.Resource]), "arn:aws:s3:::obs-loki-chunks/*")
    error_message = "Loki's policy must still name its own chunks objects (the disjointness check is not vacuous)."
  }
}

run "only_tempo_gets_object_tagging" {
  command = plan

  assert {
    condition     = jsondecode(aws_iam_role_policy.storage["tempo"].policy).Statement[1].Action == ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:GetObjectTagging", "s3:PutObject", "s3:PutObjectTagging"]
    error_message = "Tempo must get object read/write plus s3:GetObjectTagging and s3:PutObjectTagging."
  }

  assert {
    condition = alltrue(flatten([
      for app in ["mimir", "loki"] : [
        for s in jsondecode(aws_iam_role_policy.storage[app].policy).Statement : !contains(s.Action, "s3:GetObjectTagging") && !contains(s.Action, "s3:PutObjectTagging")
      ]
    ]))
    error_message = "Mimir and Loki must not get the object-tagging actions."
  }
}

run "storage_without_kms_keys_has_no_key_statement" {
  command = plan

  variables {
    storage = {
      tempo = { bucket_arns = ["arn:aws:s3:::obs-tempo-traces"], kms_key_arns = [] }
    }
  }

  assert {
    condition     = keys(aws_iam_role_policy.storage) == ["tempo"] && [for s in jsondecode(aws_iam_role_policy.storage["tempo"].policy).Statement : s.Sid] == ["ListBuckets", "ReadWriteObjects"]
    error_message = "An app with SSE-S3 buckets (no KMS keys) must get no KMS statement."
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.storage["tempo"].policy, "kms:")
    error_message = "No kms: action may appear without a key ARN."
  }
}

# --- Legacy Loki DynamoDB tables ---------------------------------------------------------

run "dynamodb_tables_are_granted_to_loki_items_only_never_table_settings" {
  command = plan

  variables {
    dynamodb_table_arns = {
      loki = ["arn:aws:dynamodb:us-east-1:123456789012:table/loki_index_2870", "arn:aws:dynamodb:us-east-1:123456789012:table/loki_index_2871"]
    }
  }

  assert {
    condition     = keys(aws_iam_role_policy.dynamodb) == ["loki"] && aws_iam_role_policy.dynamodb["loki"].role == "obs-loki"
    error_message = "The DynamoDB policy must exist for Loki only."
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.dynamodb["loki"].policy).Statement[0] == {
      Sid    = "UseIndexTables"
      Effect = "Allow"
      Action = [
        "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable",
        "dynamodb:GetItem", "dynamodb:ListTagsOfResource", "dynamodb:PutItem", "dynamodb:Query",
        "dynamodb:UpdateItem",
      ]
      Resource = ["arn:aws:dynamodb:us-east-1:123456789012:table/loki_index_2870", "arn:aws:dynamodb:us-east-1:123456789012:table/loki_index_2871"]
    }
    error_message = "Loki must get exactly the index-table actions on exactly the given tables."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.dynamodb["loki"].policy).Statement[1] == { Sid = "ListTables", Effect = "Allow", Action = ["dynamodb:ListTables"], Resource = "*" }
    error_message = "dynamodb:ListTables must be the only action on \"*\"."
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.dynamodb["loki"].policy, "CreateTable") && !strcontains(aws_iam_role_policy.dynamodb["loki"].policy, "DeleteTable")
    error_message = "Loki must not be able to create or delete tables: Terraform owns them."
  }

  assert {
    condition     = length(setintersection(toset(flatten([for st in jsondecode(aws_iam_role_policy.dynamodb["loki"].policy).Statement : st.Action])), toset(["dynamodb:UpdateTable", "dynamodb:TagResource", "dynamodb:UntagResource", "dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:PutResourcePolicy", "dynamodb:UpdateContinuousBackups"]))) == 0
    error_message = "Loki's role must not change its tables' settings (capacity, streams, deletion protection, tags, policies): Terraform owns them."
  }
}

run "dynamodb_mimir_key_grants_nothing" {
  command = plan

  variables {
    dynamodb_table_arns = {
      mimir = ["arn:aws:dynamodb:us-east-1:123456789012:table/mimir_never_used"]
    }
  }

  assert {
    condition     = length(aws_iam_role_policy.dynamodb) == 0
    error_message = "A mimir key in dynamodb_table_arns must not create any DynamoDB policy."
  }

  assert {
    condition     = alltrue([for app, p in aws_iam_role_policy.storage : !strcontains(p.policy, "dynamodb")])
    error_message = "No storage policy may mention DynamoDB."
  }
}

run "dynamodb_empty_loki_list_grants_nothing" {
  command = plan

  variables {
    dynamodb_table_arns = { loki = [] }
  }

  assert {
    condition     = length(aws_iam_role_policy.dynamodb) == 0
    error_message = "An empty Loki table list must not create a DynamoDB policy (a ListTables-only grant is useless)."
  }
}

# --- Least privilege across every policy -------------------------------------------------

run "no_wildcard_actions_and_star_resource_only_for_unscopable_actions" {
  command = plan

  variables {
    dynamodb_table_arns = { loki = ["arn:aws:dynamodb:us-east-1:123456789012:table/loki_index_2870"] }
    grafana_access      = { cloudwatch_metrics = true, cloudwatch_logs = true, cloudwatch_log_groups = ["/aws/eks/*"], xray = true, prometheus_query = true }
  }

  assert {
    condition     = length(aws_iam_role_policy.storage) == 3 && length(aws_iam_role_policy.dynamodb) == 1 && length(aws_iam_role_policy.grafana) == 1
    error_message = "This run must see every kind of policy (otherwise the checks below prove nothing)."
  }

  assert {
    condition = alltrue(flatten([
      for p in concat(values(aws_iam_role_policy.storage), values(aws_iam_role_policy.dynamodb), values(aws_iam_role_policy.grafana)) : [
        for s in jsondecode(p.policy).Statement : [for a in flatten([s.Action]) : !strcontains(a, "*")]
      ]
    ]))
    error_message = "No statement may use a wildcard action such as \"*\", \"s3:*\" or \"kms:*\"."
  }

  assert {
    condition = alltrue(flatten([
      for p in concat(values(aws_iam_role_policy.storage), values(aws_iam_role_policy.dynamodb), values(aws_iam_role_policy.grafana)) : [
        for s in jsondecode(p.policy).Statement : s.Effect == "Allow" && !contains(keys(s), "NotAction") && !contains(keys(s), "NotResource")
      ]
    ]))
    error_message = "Policies must be plain Allow statements without NotAction or NotResource."
  }

  assert {
    condition = alltrue(flatten([
      for p in concat(values(aws_iam_role_policy.storage), values(aws_iam_role_policy.dynamodb), values(aws_iam_role_policy.grafana)) : [
        for s in jsondecode(p.policy).Statement : !contains(flatten([s.Resource]), "*") || length(setsubtract(flatten([s.Action]), [
          "dynamodb:ListTables",
          "cloudwatch:DescribeAlarmsForMetric", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics",
          "ec2:DescribeInstances", "ec2:DescribeRegions", "ec2:DescribeTags", "tag:GetResources",
          "logs:DescribeLogGroups", "logs:StopQuery",
          "xray:BatchGetTraces", "xray:GetGroups", "xray:GetInsight", "xray:GetInsightSummaries",
          "xray:GetTimeSeriesServiceStatistics", "xray:GetTraceGraph", "xray:GetTraceSummaries",
        ])) == 0
      ]
    ]))
    error_message = "Resource \"*\" may appear only with actions that AWS cannot scope to a resource."
  }

  assert {
    condition = alltrue(flatten([
      for p in concat(values(aws_iam_role_policy.storage), values(aws_iam_role_policy.dynamodb), values(aws_iam_role_policy.grafana)) : [
        for s in jsondecode(p.policy).Statement : [for r in flatten([s.Resource]) : r == "*" || startswith(r, "arn:aws:")]
      ]
    ]))
    error_message = "Every other resource must be an ARN."
  }

  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.grafana["grafana"].policy).Statement : alltrue([for r in flatten([s.Resource]) : r == "*" || strcontains(r, ":us-east-1:123456789012:")])])
    error_message = "Grafana's scoped statements must be limited to this account and region."
  }
}

# --- Grafana switches -------------------------------------------------------------

run "grafana_cloudwatch_metrics_only" {
  command = plan

  variables {
    grafana_access = { cloudwatch_metrics = true, cloudwatch_logs = false }
  }

  assert {
    condition = toset(flatten([for s in jsondecode(aws_iam_role_policy.grafana["grafana"].policy).Statement : s.Action])) == toset([
      "cloudwatch:DescribeAlarmsForMetric", "cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarms",
      "cloudwatch:ListMetrics", "cloudwatch:GetMetricData", "cloudwatch:GetInsightRuleReport",
      "ec2:DescribeTags", "ec2:DescribeInstances", "ec2:DescribeRegions", "tag:GetResources", "pi:GetResourceMetrics",
    ])
    error_message = "cloudwatch_metrics alone must add exactly the CloudWatch metrics read actions."
  }

  assert {
    condition = {
      for s in jsondecode(aws_iam_role_policy.grafana["grafana"].policy).Statement : s.Sid => s.Resource if s.Resource != "*"
      } == {
      CloudWatchAlarmsRead       = ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:*"]
      CloudWatchInsightRulesRead = ["arn:aws:cloudwatch:us-east-1:123456789012:insight-rule/*"]
      PerformanceInsightsRead    = ["arn:aws:pi:us-east-1:123456789012:metrics/rds/*"]
    }
    error_message = "Alarms, insight rules and Performance Insights must be scoped to this account and region."
  }
}

run "grafana_cloudwatch_logs_only" {
  command = plan

  variables {
    grafana_access = { cloudwatch_metrics = false, cloudwatch_logs = true, cloudwatch_log_groups = ["/aws/eks/lgtm/cluster", "/lgtm/*"] }
  }

  assert {
    condition     = toset(flatten([for s in jsondecode(aws_iam_role_policy.grafana["grafana"].policy).Statement : s.Action])) == toset(["logs:DescribeLogGroups", "logs:GetLogGroupFields", "logs:StartQuery", "logs:StopQuery", "logs:GetQueryResults", "logs:GetLogEvents"])
    error_message = "cloudwatch_logs alone must add exactly the CloudWatch Logs read actions."
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.grafana["grafana"].policy).Statement : s if s.Sid == "CloudWatchLogsRead"][0].Resource == [
      "arn:aws:logs:us-east-1:123456789012:log-group:/aws/eks/lgtm/cluster",
      "arn:aws:logs:us-east-1:123456789012:log-group:/aws/eks/lgtm/cluster:log-stream:*",
      "arn:aws:logs:us-east-1:123456789012:log-group:/lgtm/*",
      "arn:aws:logs:us-east-1:123456789012:log-group:/lgtm/*:log-stream:*",
    ]
    error_message = "Log-group actions must be scoped to the named log groups and their streams, not every log group of the account."
  }
}

run "grafana_cloudwatch_logs_without_log_groups_is_refused" {
  command = plan

  variables {
    grafana_access = { cloudwatch_logs = true }
  }

  expect_failures = [var.grafana_access]
}

run "grafana_log_groups_without_cloudwatch_logs_is_refused" {
  command = plan

  variables {
    grafana_access = { cloudwatch_log_groups = ["/lgtm/*"] }
  }

  expect_failures = [var.grafana_access]
}

run "grafana_xray_only" {
  command = plan

  variables {
    grafana_access = { cloudwatch_metrics = false, cloudwatch_logs = false, xray = true }
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.grafana["grafana"].policy).Statement == [{
      Sid    = "ReadOnlyWithoutResourceLevelPermissions"
      Effect = "Allow"
      Action = [
        "ec2:DescribeRegions", "xray:BatchGetTraces", "xray:GetGroups", "xray:GetInsight", "xray:GetInsightSummaries",
        "xray:GetTimeSeriesServiceStatistics", "xray:GetTraceGraph", "xray:GetTraceSummaries",
      ]
      Resource = "*"
    }]
    error_message = "xray alone must add exactly the X-Ray read actions and ec2:DescribeRegions."
  }
}

run "grafana_prometheus_query_defaults_to_account_workspaces" {
  command = plan

  variables {
    grafana_access = { cloudwatch_metrics = false, cloudwatch_logs = false, prometheus_query = true }
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.grafana["grafana"].policy).Statement == [{
      Sid      = "ManagedPrometheusQuery"
      Effect   = "Allow"
      Action   = ["aps:GetLabels", "aps:GetMetricMetadata", "aps:GetSeries", "aps:QueryMetrics"]
      Resource = ["arn:aws:aps:us-east-1:123456789012:workspace/*"]
    }]
    error_message = "prometheus_query alone must add the four aps query actions on this account's and region's workspaces."
  }
}

run "grafana_prometheus_query_scoped_to_given_workspaces" {
  command = plan

  variables {
    grafana_access = {
      cloudwatch_metrics        = false
      cloudwatch_logs           = false
      prometheus_query          = true
      prometheus_workspace_arns = ["arn:aws:aps:us-east-1:123456789012:workspace/ws-0a1b2c3d-4e5f-6789-abcd-ef0123456789"]
    }
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.grafana["grafana"].policy).Statement[0].Resource == ["arn:aws:aps:us-east-1:123456789012:workspace/ws-0a1b2c3d-4e5f-6789-abcd-ef0123456789"]
    error_message = "Given workspace ARNs must replace the account-wide workspace pattern."
  }
}

run "grafana_all_switches_on_lists_describe_regions_once" {
  command = plan

  variables {
    grafana_access = { cloudwatch_metrics = true, cloudwatch_logs = true, cloudwatch_log_groups = ["*"], xray = true, prometheus_query = true }
  }

  assert {
    condition     = length([for a in flatten([for s in jsondecode(aws_iam_role_policy.grafana["grafana"].policy).Statement : s.Action]) : a if a == "ec2:DescribeRegions"]) == 1
    error_message = "ec2:DescribeRegions, needed by both CloudWatch and X-Ray, must appear once."
  }

  assert {
    condition     = length(distinct(flatten([for s in jsondecode(aws_iam_role_policy.grafana["grafana"].policy).Statement : s.Action]))) == 28
    error_message = "All switches on must give the 28 distinct read-only actions."
  }

  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.grafana["grafana"].policy).Statement : !anytrue([for a in flatten([s.Action]) : startswith(a, "s3:") || startswith(a, "kms:")])])
    error_message = "Grafana must never get S3 or KMS actions."
  }
}

run "grafana_all_switches_off_means_no_policy" {
  command = plan

  variables {
    grafana_access = { cloudwatch_metrics = false, cloudwatch_logs = false, xray = false, prometheus_query = false }
  }

  assert {
    condition     = length(aws_iam_role_policy.grafana) == 0
    error_message = "With every Grafana switch off, Grafana's role must have no permission policy."
  }

  assert {
    condition     = contains(keys(aws_iam_role.this), "grafana")
    error_message = "Grafana's role must still exist when it has no policy."
  }
}

run "no_grafana_app_means_no_grafana_policy" {
  command = plan

  variables {
    apps    = { loki = {} }
    storage = { loki = { bucket_arns = ["arn:aws:s3:::obs-loki-chunks"], kms_key_arns = [] } }
  }

  assert {
    condition     = length(aws_iam_role_policy.grafana) == 0 && keys(aws_iam_role.this) == ["loki"]
    error_message = "Without a grafana app there must be no Grafana role or policy."
  }
}

run "periodic_loki_tables_are_granted_by_name_prefix" {
  command = plan

  variables {
    dynamodb_table_arns = { loki = ["arn:aws:dynamodb:us-east-1:123456789012:table/obs-loki-index-*"] }
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.dynamodb["loki"].policy).Statement : s.Resource if s.Sid == "UseIndexTables"]) == ["arn:aws:dynamodb:us-east-1:123456789012:table/obs-loki-index-*"]
    error_message = "A table-name prefix ARN is granted as given (one ARN instead of one per period)."
  }
}
