# The stack contract (terraform/envs/README.md): the same outputs in every env root.

output "contract_version" {
  description = "Version of the stack contract's shape."
  value       = module.stack.contract_version
}

output "environment" {
  description = "Environment name."
  value       = module.stack.environment
}

output "region" {
  description = "AWS region of every resource."
  value       = module.stack.region
}

output "account_id" {
  description = "AWS account that holds the stack."
  value       = module.stack.account_id
}

output "name_prefix" {
  description = "Prefix of every bucket, key alias, role and table."
  value       = module.stack.name_prefix
}

output "partition" {
  description = "AWS partition of every ARN."
  value       = module.stack.partition
}

output "cluster" {
  description = "The first EKS cluster (eks_cluster_name) and the OIDC provider it is trusted through."
  value       = module.stack.cluster
}

output "clusters" {
  description = "Every cluster whose service accounts assume the roles, with the apps each runs."
  value       = module.stack.clusters
}

output "replication" {
  description = "Cross-region replication (replica region, role, buckets and keys), or null."
  value       = module.stack.replication
}

output "buckets" {
  description = "Buckets per app and store, each { name, arn, holds_data, lifecycle_rules, expiry_guard }."
  value       = module.stack.buckets
}

output "kms_keys" {
  description = "The key of each storage app: { arn, alias, managed }."
  value       = module.stack.kms_keys
}

output "roles" {
  description = "The role of each app with its service accounts, trust subjects and Helm annotations."
  value       = module.stack.roles
}

output "dynamodb_tables" {
  description = "Legacy index tables per app."
  value       = module.stack.dynamodb_tables
}

output "settings" {
  description = "What this environment asks for (retention, logging, protection...)."
  value       = module.stack.settings
}

output "operations" {
  description = "Alert topic, alarms and audit trail."
  value       = module.stack.operations
}

output "reserved_tags" {
  description = "The tag keys the modules set on what they create."
  value       = module.stack.reserved_tags
}
