##############################################################################
# EKS Pod Identity: one association per (app, service account).
# The role's trust policy (trust.tf) admits only the EKS Auth service for this
# account's cluster; the association decides which service account gets it.
##############################################################################

locals {
  pod_identity_associations = merge([
    for app in local.pod_identity_apps : {
      for sa in local.apps[app].service_accounts : "${app}/${local.apps[app].namespace}/${sa}" => {
        app             = app
        namespace       = local.apps[app].namespace
        service_account = sa
      }
    }
  ]...)
}

resource "aws_eks_pod_identity_association" "this" {
  for_each = local.pod_identity_associations

  cluster_name    = var.cluster_name
  namespace       = each.value.namespace
  service_account = each.value.service_account
  role_arn        = aws_iam_role.this[each.value.app].arn

  tags = var.tags
}
