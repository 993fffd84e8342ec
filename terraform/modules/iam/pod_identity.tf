##############################################################################
# EKS Pod Identity: one association per (cluster, app, service account).
# The role's trust policy (trust.tf) admits only the EKS Auth service for this
# account's clusters; the association decides which service account gets it.
# The first cluster's associations keep the keys "<app>/<namespace>/<sa>" they
# had before further clusters existed; a further cluster's are prefixed with
# its key, "<cluster>/<app>/<namespace>/<sa>".
##############################################################################

locals {
  pod_identity_associations = merge(flatten([
    for key, c in local.all_clusters : [
      for app in local.pod_identity_apps : {
        for sa in c.apps[app].service_accounts : (
          key == local.first_cluster_key && local.first_cluster_on ? "${app}/${c.apps[app].namespace}/${sa}" : "${key}/${app}/${c.apps[app].namespace}/${sa}"
          ) => {
          cluster_name    = c.name
          app             = app
          namespace       = c.apps[app].namespace
          service_account = sa
        }
      } if contains(keys(c.apps), app)
    ]
  ])...)
}

resource "aws_eks_pod_identity_association" "this" {
  for_each = local.pod_identity_associations

  cluster_name    = each.value.cluster_name
  namespace       = each.value.namespace
  service_account = each.value.service_account
  role_arn        = aws_iam_role.this[each.value.app].arn

  tags = var.tags
}
