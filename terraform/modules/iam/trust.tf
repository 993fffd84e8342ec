##############################################################################
# OIDC provider resolution for IRSA apps
#
#   1. oidc.provider_arn            -> use it as is
#   2. oidc.create_provider = true  -> create it from oidc.issuer_url, else from
#                                      the issuer of cluster_name
#   3. oidc.issuer_url              -> look up the existing provider by URL
#   4. cluster_name                 -> read the cluster's issuer, then look up
#                                      the existing provider by URL
#
# Nothing is read or created for IRSA when no app uses it (create_provider
# excepted: an explicit request is honoured).
##############################################################################

locals {
  needs_oidc = length(local.irsa_apps) > 0

  oidc_mode = (
    var.oidc.provider_arn != null ? "given" :
    var.oidc.create_provider ? "create" :
    var.oidc.issuer_url != null || var.cluster_name != null ? "lookup" :
    "none"
  )

  # The cluster is read only when its issuer is really needed.
  read_cluster_issuer = var.oidc.issuer_url == null && var.cluster_name != null && (
    local.oidc_mode == "create" || (local.oidc_mode == "lookup" && local.needs_oidc)
  )

  oidc_issuer_url = (
    var.oidc.issuer_url != null ? var.oidc.issuer_url :
    local.read_cluster_issuer ? data.aws_eks_cluster.this[0].identity[0].oidc[0].issuer :
    null
  )

  oidc_provider_arn = (
    local.oidc_mode == "given" ? var.oidc.provider_arn :
    local.oidc_mode == "create" ? aws_iam_openid_connect_provider.this[0].arn :
    local.oidc_mode == "lookup" && local.needs_oidc ? data.aws_iam_openid_connect_provider.this[0].arn :
    null
  )

  # Prefix of the condition keys: "<issuer host>/<path>", e.g.
  # "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE" -> "<prefix>:sub", "<prefix>:aud".
  oidc_condition_prefix = (
    local.oidc_mode == "given" ? split("oidc-provider/", var.oidc.provider_arn)[1] :
    local.oidc_issuer_url != null ? trimsuffix(trimprefix(local.oidc_issuer_url, "https://"), "/") :
    null
  )
}

data "aws_eks_cluster" "this" {
  count = local.read_cluster_issuer ? 1 : 0

  name = var.cluster_name
}

resource "aws_iam_openid_connect_provider" "this" {
  count = local.oidc_mode == "create" ? 1 : 0

  url            = local.oidc_issuer_url
  client_id_list = ["sts.amazonaws.com"]

  tags = var.tags
}

data "aws_iam_openid_connect_provider" "this" {
  count = local.oidc_mode == "lookup" && local.needs_oidc ? 1 : 0

  url = local.oidc_issuer_url
}

##############################################################################
# Trust policies
##############################################################################

locals {
  # IRSA: only tokens issued by this cluster's OIDC provider, for exactly the
  # listed service accounts, with the STS audience. StringEquals on both claims:
  # no StringLike, no wildcard, so no other service account can match.
  irsa_trust_policies = {
    for app in local.irsa_apps : app => jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Sid       = "AssumeFromServiceAccountsWithIrsa"
        Effect    = "Allow"
        Principal = { Federated = local.oidc_provider_arn }
        Action    = "sts:AssumeRoleWithWebIdentity"
        Condition = {
          StringEquals = {
            "${local.oidc_condition_prefix}:sub" = local.trust_subjects[app]
            "${local.oidc_condition_prefix}:aud" = "sts.amazonaws.com"
          }
        }
      }]
    })
  }

  # EKS Pod Identity: the EKS Auth service assumes the role on behalf of this
  # account's cluster only (confused-deputy protection through SourceAccount and
  # SourceArn). Which service account gets the role is decided by the
  # associations in pod_identity.tf.
  cluster_arn = var.cluster_name == null ? null : "arn:${local.partition}:eks:${local.region}:${local.account_id}:cluster/${var.cluster_name}"

  pod_identity_trust_policies = {
    for app in local.pod_identity_apps : app => jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Sid       = "AssumeFromEksPodIdentity"
        Effect    = "Allow"
        Principal = { Service = "pods.eks.amazonaws.com" }
        Action    = ["sts:AssumeRole", "sts:TagSession"]
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
          ArnEquals    = { "aws:SourceArn" = local.cluster_arn }
        }
      }]
    })
  }

  trust_policies = merge(local.irsa_trust_policies, local.pod_identity_trust_policies)
}
