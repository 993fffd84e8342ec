output "roles" {
  description = "Per app: role arn and name, identity (\"irsa\" or \"pod_identity\"), namespace, service_accounts, trust_subjects (\"system:serviceaccount:<ns>:<sa>\") and helm_annotations ({\"eks.amazonaws.com/role-arn\" = arn} for IRSA, {} for Pod Identity)."
  value = {
    for app, cfg in local.apps : app => {
      arn              = aws_iam_role.this[app].arn
      name             = aws_iam_role.this[app].name
      identity         = cfg.identity
      namespace        = cfg.namespace
      service_accounts = cfg.service_accounts
      trust_subjects   = local.trust_subjects[app]
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
