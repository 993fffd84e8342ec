output "roles" {
  description = "Per app: role arn and name, identity (\"irsa\" or \"pod_identity\"), namespace and service_accounts (the app's own, which clusters inherit), trust_subjects (every \"system:serviceaccount:<ns>:<sa>\" any cluster may present) and helm_annotations ({\"eks.amazonaws.com/role-arn\" = arn} for IRSA, {} for Pod Identity)."
  value = {
    for app, cfg in local.apps : app => {
      arn              = aws_iam_role.this[app].arn
      name             = aws_iam_role.this[app].name
      identity         = cfg.identity
      namespace        = cfg.namespace
      service_accounts = cfg.service_accounts
      trust_subjects   = [for subject in distinct(flatten([for key in local.cluster_order : lookup(local.cluster_subjects[key], app, [])])) : subject]
      helm_annotations = cfg.identity == "irsa" ? { "eks.amazonaws.com/role-arn" = aws_iam_role.this[app].arn } : {}
    }
  }
}

output "oidc_provider_arn" {
  description = "ARN of the IAM OIDC provider trusted by the IRSA roles (given, created or looked up), or null when no OIDC provider is used."
  value       = local.oidc_provider_arn
}

output "cluster_arn" {
  description = "ARN of the EKS cluster the roles trust (the aws:SourceArn Pod Identity trust pins), or null when no cluster name is given."
  value       = local.cluster_arn
}

output "pod_identity_associations" {
  description = "EKS Pod Identity association ARNs keyed by \"<app>/<namespace>/<service account>\" (empty when no app uses pod_identity)."
  value       = { for key, assoc in aws_eks_pod_identity_association.this : key => assoc.association_arn }
}

output "clusters" {
  description = "Every cluster whose service accounts assume the roles, the first one (cluster_name/oidc, keyed by its name or \"default\") included: { name, account_id, arn (null when unknown), issuer_url, oidc_provider_arn (registered in this account; null when the cluster runs no IRSA app), apps = { <app> = { identity, namespace, service_accounts, trust_subjects, helm_annotations } } }."
  value = {
    for key, c in local.all_clusters : key => {
      name              = c.name
      account_id        = c.account_id
      arn               = local.cluster_arns[key]
      issuer_url        = c.issuer_url
      oidc_provider_arn = c.oidc_provider_arn
      apps = {
        for app, w in c.apps : app => {
          identity         = w.identity
          namespace        = w.namespace
          service_accounts = w.service_accounts
          trust_subjects   = local.cluster_subjects[key][app]
          helm_annotations = w.identity == "irsa" ? { "eks.amazonaws.com/role-arn" = aws_iam_role.this[app].arn } : {}
        }
      }
    }
  }
}

output "trust_policy_sizes" {
  description = "Characters of each role's trust policy (IAM's default limit is 2,048; see trust_policy_size_limit)."
  value       = local.trust_policy_sizes
}
