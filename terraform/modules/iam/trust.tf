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
  # IRSA: one statement per cluster that runs the app, each naming that cluster's
  # OIDC provider and exactly its service accounts with the STS audience.
  # Statements are ORed and the keys of one statement ANDed, so one statement
  # per provider is the only shape that admits several issuers. StringEquals on
  # both claims: no StringLike, no wildcard, so no other service account matches.
  irsa_statements = {
    for app in local.irsa_apps : app => [
      for key in local.cluster_order : {
        Sid       = local.all_clusters[key].sid
        Effect    = "Allow"
        Principal = { Federated = local.all_clusters[key].oidc_provider_arn }
        Action    = "sts:AssumeRoleWithWebIdentity"
        Condition = {
          StringEquals = {
            "${local.all_clusters[key].condition_prefix}:sub" = local.cluster_subjects[key][app]
            "${local.all_clusters[key].condition_prefix}:aud" = "sts.amazonaws.com"
          }
        }
      } if contains(keys(local.all_clusters[key].apps), app) && local.all_clusters[key].oidc_provider_arn != null
    ]
  }

  irsa_trust_policies = {
    for app in local.irsa_apps : app => jsonencode({
      Version   = "2012-10-17"
      Statement = local.irsa_statements[app]
    })
  }

  # EKS Pod Identity: the EKS Auth service assumes the role on behalf of this
  # account's clusters only (confused-deputy protection through SourceAccount and
  # SourceArn). Which service account gets the role is decided by the
  # associations in pod_identity.tf.
  cluster_arn = var.cluster_name == null ? null : "arn:${local.partition}:eks:${local.region}:${local.account_id}:cluster/${var.cluster_name}"

  pod_identity_cluster_arns = {
    for app in local.pod_identity_apps : app => [
      for key in local.cluster_order : local.cluster_arns[key] if contains(keys(local.all_clusters[key].apps), app) && local.cluster_arns[key] != null
    ]
  }

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
          # One cluster: the ARN as a string (as before several clusters existed); several: a list.
          ArnEquals = { "aws:SourceArn" = jsondecode(length(local.pod_identity_cluster_arns[app]) == 1 ? jsonencode(local.pod_identity_cluster_arns[app][0]) : jsonencode(local.pod_identity_cluster_arns[app])) }
        }
      }]
    })
  }

  trust_policies = merge(local.irsa_trust_policies, local.pod_identity_trust_policies)

  # Trust statements per role ([] for Pod Identity roles, whose one statement lists clusters).
  irsa_statements_by_app = { for app in keys(local.apps) : app => lookup(local.irsa_statements, app, []) }

  # IAM counts a trust policy's characters without whitespace; jsonencode writes none outside
  # strings, and no value here holds any.
  trust_policy_sizes = { for app, policy in local.trust_policies : app => length(policy) }
}
