##############################################################################
# Every cluster whose service accounts assume the roles, resolved in one map:
# the first cluster (cluster_name / oidc, as the quick start names it) and the
# further ones in var.clusters. Each IRSA cluster gets one trust statement
# naming its own OIDC provider, which always lives in this account: a cluster
# in another account reaches the roles through its issuer registered here
# (README "Clusters in other accounts").
##############################################################################

locals {
  # The first cluster: what cluster_name and oidc describe, running every app.
  first_cluster_on  = var.cluster_name != null || local.oidc_mode != "none"
  first_cluster_key = coalesce(var.cluster_name, "default")

  # Further clusters with their apps, namespaces and service accounts resolved: an app's own
  # settings in `apps` are the defaults.
  further_clusters = {
    for key, c in var.clusters : key => {
      name       = c.name
      account_id = coalesce(c.account_id, local.account_id)
      apps = {
        for app in(c.workloads == null ? keys(local.apps) : keys(c.workloads)) : app => {
          identity         = local.apps[app].identity
          namespace        = coalesce(try(c.workloads[app].namespace, null), local.apps[app].namespace)
          service_accounts = coalesce(try(c.workloads[app].service_accounts, null), local.apps[app].service_accounts)
        }
      }
      irsa        = anytrue([for app in(c.workloads == null ? keys(local.apps) : keys(c.workloads)) : local.apps[app].identity == "irsa"])
      mode        = c.oidc_provider_arn != null ? "given" : c.create_oidc_provider ? "create" : "lookup"
      read_issuer = c.issuer_url == null && c.oidc_provider_arn == null && c.name != null
      issuer_url  = c.issuer_url
      given_arn   = c.oidc_provider_arn
      # Trust statement ids take letters and digits only.
      sid = "AssumeFromServiceAccountsWithIrsa${replace(key, "/[^A-Za-z0-9]/", "")}"
    }
  }

  further_issuer = {
    for key, c in local.further_clusters : key => (
      c.issuer_url != null ? c.issuer_url :
      c.given_arn != null ? "https://${split("oidc-provider/", c.given_arn)[1]}" :
      c.read_issuer && (c.irsa || c.mode == "create") ? data.aws_eks_cluster.clusters[key].identity[0].oidc[0].issuer :
      null
    )
  }

  further_condition_prefix = {
    for key, issuer in local.further_issuer : key => issuer == null ? null : trimsuffix(trimprefix(issuer, "https://"), "/")
  }

  # The provider ARN is built from the issuer for a provider created here, so the trust policy
  # (and its size) is known at plan time; the role waits for the provider (main.tf).
  further_provider_arn = {
    for key, c in local.further_clusters : key => (
      c.mode == "given" ? c.given_arn :
      c.mode == "create" ? "arn:${local.partition}:iam::${local.account_id}:oidc-provider/${local.further_condition_prefix[key]}" :
      c.irsa ? data.aws_iam_openid_connect_provider.clusters[key].arn :
      null
    )
  }

  # Every cluster, the first one included: what the trust policies, the associations and the
  # `clusters` output are built from.
  all_clusters = merge(
    local.first_cluster_on ? {
      (local.first_cluster_key) = {
        name              = var.cluster_name
        account_id        = local.account_id
        issuer_url        = local.oidc_condition_prefix == null ? null : "https://${local.oidc_condition_prefix}"
        oidc_provider_arn = local.oidc_provider_arn
        condition_prefix  = local.oidc_condition_prefix
        sid               = "AssumeFromServiceAccountsWithIrsa"
        apps              = { for app, cfg in local.apps : app => { identity = cfg.identity, namespace = cfg.namespace, service_accounts = cfg.service_accounts } }
      }
    } : {},
    {
      for key, c in local.further_clusters : key => {
        name              = c.name
        account_id        = c.account_id
        issuer_url        = local.further_issuer[key]
        oidc_provider_arn = c.irsa || c.mode == "create" ? local.further_provider_arn[key] : null
        condition_prefix  = local.further_condition_prefix[key]
        sid               = c.sid
        apps              = c.apps
      }
    },
  )

  # The order of statements and subjects: the first cluster, then the others by key.
  cluster_order = concat(local.first_cluster_on ? [local.first_cluster_key] : [], sort(keys(var.clusters)))

  # The cluster ARN: known for a named cluster in this account (Pod Identity pins it); for a
  # named cluster elsewhere, its region is read from an EKS issuer URL when it has one.
  cluster_arns = {
    for key, c in local.all_clusters : key => c.name == null ? null : (
      c.account_id == local.account_id ? "arn:${local.partition}:eks:${local.region}:${local.account_id}:cluster/${c.name}" :
      try("arn:${local.partition}:eks:${regex("^https://oidc\\.eks\\.([a-z0-9-]+)\\.amazonaws\\.com/", c.issuer_url)[0]}:${c.account_id}:cluster/${c.name}", null)
    )
  }

  # Subjects per cluster and app: system:serviceaccount:<namespace>:<service account>.
  cluster_subjects = {
    for key, c in local.all_clusters : key => {
      for app, w in c.apps : app => [for sa in w.service_accounts : "system:serviceaccount:${w.namespace}:${sa}"]
    }
  }
}

data "aws_eks_cluster" "clusters" {
  for_each = { for key, c in local.further_clusters : key => c if c.read_issuer && (c.irsa || c.mode == "create") }

  name = each.value.name
}

data "aws_iam_openid_connect_provider" "clusters" {
  for_each = { for key, c in local.further_clusters : key => c if c.mode == "lookup" && c.irsa }

  url = local.further_issuer[each.key]
}

resource "aws_iam_openid_connect_provider" "clusters" {
  for_each = { for key, c in local.further_clusters : key => c if c.mode == "create" }

  url            = local.further_issuer[each.key]
  client_id_list = ["sts.amazonaws.com"]

  tags = var.tags
}
