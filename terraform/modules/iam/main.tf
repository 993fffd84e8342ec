##############################################################################
# Context: partition, account and region always come from the provider.
##############################################################################

data "aws_partition" "current" {}

data "aws_caller_identity" "current" {
  lifecycle {
    # Checks that need to know this account: where each cluster runs and where its OIDC
    # provider is registered.
    postcondition {
      condition = alltrue([
        for key, c in var.clusters : c.account_id == null || c.account_id == self.account_id || alltrue([
          for app in(c.workloads == null ? keys(var.apps) : keys(c.workloads)) : var.apps[app].identity != "pod_identity"
        ])
      ])
      error_message = "${join(" and ", [
        for key, c in var.clusters : "clusters.${key} runs in account ${c.account_id} with ${join(", ", [for app in(c.workloads == null ? keys(var.apps) : keys(c.workloads)) : app if var.apps[app].identity == "pod_identity"])} on Pod Identity" if c.account_id != null && c.account_id != self.account_id && anytrue([
          for app in(c.workloads == null ? keys(var.apps) : keys(c.workloads)) : var.apps[app].identity == "pod_identity"
        ])
      ])}, but a Pod Identity association reaches a role in another account only through target_role_arn (aws provider 6.2 or later), which this module does not manage: use IRSA for those apps, which crosses accounts through the cluster's issuer registered in this account."
    }

    postcondition {
      condition = alltrue([
        for arn in compact(concat([var.oidc.provider_arn], [for key, c in var.clusters : c.oidc_provider_arn])) : split(":", arn)[4] == self.account_id
      ])
      error_message = "${join(" and ", [
        for arn in compact(concat([var.oidc.provider_arn], [for key, c in var.clusters : c.oidc_provider_arn])) : jsonencode(arn) if split(":", arn)[4] != self.account_id
      ])} is an OIDC provider of another account than ${self.account_id}, where the roles are: STS accepts only a provider registered in the role's own account, so register the cluster's issuer here (issuer_url with create_oidc_provider = true)."
    }
  }
}

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

  # Trust policies name providers registered here by ARN (clusters.tf builds the ARN from the
  # issuer so the policy is known at plan time): the provider exists before the role trusts it.
  depends_on = [aws_iam_openid_connect_provider.this, aws_iam_openid_connect_provider.clusters]

  lifecycle {
    precondition {
      condition     = local.trust_policy_sizes[each.key] <= var.trust_policy_size_limit
      error_message = "Role ${each.value.role_name} would trust ${length(local.irsa_statements_by_app[each.key])} cluster(s) in a policy of ${local.trust_policy_sizes[each.key]} characters, over IAM's limit of ${var.trust_policy_size_limit} (quota L-C07B4B0D, \"Role trust policy length\"): trust fewer clusters or service accounts with this role, or raise the quota and then trust_policy_size_limit."
    }

    precondition {
      condition     = each.value.identity == "irsa" ? length(local.irsa_statements_by_app[each.key]) > 0 : length(local.pod_identity_cluster_arns[each.key]) > 0
      error_message = "No cluster runs ${each.key} (${each.value.identity == "irsa" ? "with an OIDC provider" : "with a name in this account"}), so role ${each.value.role_name} would trust nobody: add ${each.key} to a cluster's apps, or drop it from apps."
    }
  }
}
