# Defaults: four IRSA roles whose trust pins the exact service account and the
# STS audience, with the OIDC provider found from the cluster name.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

override_resource {
  target          = aws_iam_role.this["mimir"]
  override_during = plan
  values          = { arn = "arn:aws:iam::123456789012:role/obs-mimir" }
}

override_resource {
  target          = aws_iam_role.this["loki"]
  override_during = plan
  values          = { arn = "arn:aws:iam::123456789012:role/obs-loki" }
}

override_resource {
  target          = aws_iam_role.this["tempo"]
  override_during = plan
  values          = { arn = "arn:aws:iam::123456789012:role/obs-tempo" }
}

override_resource {
  target          = aws_iam_role.this["grafana"]
  override_during = plan
  values          = { arn = "arn:aws:iam::123456789012:role/obs-grafana" }
}

variables {
  name_prefix  = "obs"
  cluster_name = "lgtm"
}

run "defaults_create_one_irsa_role_per_app_named_by_prefix" {
  command = plan

  assert {
    condition     = toset(keys(aws_iam_role.this)) == toset(["mimir", "loki", "tempo", "grafana"])
    error_message = "The default apps must give exactly four roles: mimir, loki, tempo and grafana."
  }

  assert {
    condition     = alltrue([for app, role in aws_iam_role.this : role.name == "obs-${app}"])
    error_message = "Each role must be named \"<name_prefix>-<app>\"."
  }

  assert {
    condition     = alltrue([for app, role in aws_iam_role.this : role.path == "/" && role.max_session_duration == 3600 && role.permissions_boundary == null])
    error_message = "Default roles must have path \"/\", a 3600 s maximum session and no permissions boundary."
  }

  assert {
    condition     = length(aws_eks_pod_identity_association.this) == 0 && length(aws_iam_openid_connect_provider.this) == 0
    error_message = "Defaults must create neither Pod Identity associations nor an OIDC provider."
  }

  assert {
    condition     = length(data.aws_eks_cluster.this) == 1 && data.aws_eks_cluster.this[0].name == "lgtm"
    error_message = "With only cluster_name given, the cluster must be read to find its OIDC issuer."
  }

  assert {
    condition     = length(data.aws_iam_openid_connect_provider.this) == 1 && data.aws_iam_openid_connect_provider.this[0].url == "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"
    error_message = "With only cluster_name given, the existing OIDC provider must be looked up by the cluster's issuer URL."
  }
}

run "defaults_irsa_trust_pins_exact_sub_and_aud_with_string_equals" {
  command = plan

  assert {
    condition     = alltrue([for app, role in aws_iam_role.this : length(jsondecode(role.assume_role_policy).Statement) == 1])
    error_message = "Each IRSA trust policy must have exactly one statement."
  }

  assert {
    condition = alltrue([
      for app, role in aws_iam_role.this : jsondecode(role.assume_role_policy).Statement[0].Effect == "Allow" &&
      jsondecode(role.assume_role_policy).Statement[0].Action == "sts:AssumeRoleWithWebIdentity"
    ])
    error_message = "IRSA trust must allow only sts:AssumeRoleWithWebIdentity."
  }

  assert {
    condition = alltrue([
      for app, role in aws_iam_role.this : jsondecode(role.assume_role_policy).Statement[0].Principal == {
        Federated = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"
      }
    ])
    error_message = "The only principal must be Federated = the OIDC provider ARN (not the issuer URL)."
  }

  assert {
    condition     = alltrue([for app, role in aws_iam_role.this : keys(jsondecode(role.assume_role_policy).Statement[0].Condition) == ["StringEquals"]])
    error_message = "IRSA trust must use StringEquals only (no StringLike)."
  }

  assert {
    condition = alltrue([
      for app, role in aws_iam_role.this : jsondecode(role.assume_role_policy).Statement[0].Condition.StringEquals == {
        "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub" = ["system:serviceaccount:${app}:${app}"]
        "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:aud" = "sts.amazonaws.com"
      }
    ])
    error_message = "IRSA trust must pin sub to exactly system:serviceaccount:<app>:<app> and aud to sts.amazonaws.com."
  }

  assert {
    condition = alltrue(flatten([
      for app, role in aws_iam_role.this : [
        for value in flatten(values(jsondecode(role.assume_role_policy).Statement[0].Condition.StringEquals)) : !strcontains(value, "*") && !strcontains(value, "?")
      ]
    ]))
    error_message = "No IRSA condition value may contain a wildcard."
  }
}

run "defaults_outputs_describe_roles_for_helm" {
  command = plan

  assert {
    condition     = alltrue([for app, r in output.roles : r.arn == "arn:aws:iam::123456789012:role/obs-${app}" && r.name == "obs-${app}"])
    error_message = "roles[app].arn and .name must come from that app's own role."
  }

  assert {
    condition     = alltrue([for app, r in output.roles : r.identity == "irsa" && r.namespace == app && r.service_accounts == tolist([app])])
    error_message = "By default every app uses IRSA in the namespace and service account named after the app."
  }

  assert {
    condition     = alltrue([for app, r in output.roles : r.trust_subjects == ["system:serviceaccount:${app}:${app}"]])
    error_message = "roles[app].trust_subjects must list system:serviceaccount:<ns>:<sa>."
  }

  assert {
    condition = alltrue([
      for app, r in output.roles : length(r.helm_annotations) == 1 && r.helm_annotations["eks.amazonaws.com/role-arn"] == "arn:aws:iam::123456789012:role/obs-${app}"
    ])
    error_message = "IRSA apps must get exactly the eks.amazonaws.com/role-arn annotation with their own role ARN."
  }

  assert {
    condition     = output.oidc_provider_arn == "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"
    error_message = "oidc_provider_arn must be the provider that was looked up."
  }

  assert {
    condition     = length(output.pod_identity_associations) == 0
    error_message = "No Pod Identity association may exist by default."
  }
}

run "defaults_grant_grafana_cloudwatch_only_and_nothing_else" {
  command = plan

  assert {
    condition     = length(aws_iam_role_policy.storage) == 0 && length(aws_iam_role_policy.dynamodb) == 0
    error_message = "Without storage or dynamodb_table_arns no storage or DynamoDB policy may exist."
  }

  assert {
    condition     = keys(aws_iam_role_policy.grafana) == ["grafana"] && aws_iam_role_policy.grafana["grafana"].role == "obs-grafana"
    error_message = "Grafana's default data-source policy must be attached to Grafana's role only."
  }

  assert {
    condition = toset(flatten([for s in jsondecode(aws_iam_role_policy.grafana["grafana"].policy).Statement : s.Action])) == toset([
      "cloudwatch:DescribeAlarmsForMetric", "cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarms",
      "cloudwatch:ListMetrics", "cloudwatch:GetMetricData", "cloudwatch:GetInsightRuleReport",
      "ec2:DescribeTags", "ec2:DescribeInstances", "ec2:DescribeRegions", "tag:GetResources", "pi:GetResourceMetrics",
    ])
    error_message = "By default Grafana must get exactly the CloudWatch metrics read actions, and no CloudWatch Logs access (no log group is named)."
  }
}
