##############################################################################
# Context: partition, account and region always come from the provider.
##############################################################################

data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name

  # Apps with their defaults resolved: namespace and service account default to
  # the app name, as the Helm charts do for a release named after the chart.
  apps = {
    for app, cfg in var.apps : app => {
      role_name        = "${var.name_prefix}-${app}"
      identity         = cfg.identity
      namespace        = cfg.namespace != null ? cfg.namespace : app
      service_accounts = cfg.service_accounts != null ? cfg.service_accounts : [app]
    }
  }

  # The exact `sub` claims of the service-account tokens allowed to use each role.
  trust_subjects = {
    for app, cfg in local.apps : app => [
      for sa in cfg.service_accounts : "system:serviceaccount:${cfg.namespace}:${sa}"
    ]
  }

  irsa_apps         = [for app, cfg in local.apps : app if cfg.identity == "irsa"]
  pod_identity_apps = [for app, cfg in local.apps : app if cfg.identity == "pod_identity"]
}

##############################################################################
# One role per application
##############################################################################

resource "aws_iam_role" "this" {
  for_each = local.apps

  name                 = each.value.role_name
  path                 = var.role_path
  description          = "Grafana LGTM ${each.key} role, assumed through ${each.value.identity == "irsa" ? "IRSA" : "EKS Pod Identity"} from namespace ${each.value.namespace}."
  assume_role_policy   = local.trust_policies[each.key]
  permissions_boundary = var.permissions_boundary_arn
  max_session_duration = var.max_session_duration

  tags = var.tags
}
