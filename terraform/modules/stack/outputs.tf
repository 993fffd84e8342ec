# The stack contract: every env root re-exports these outputs unchanged, and obsctl reads only
# them (and the plan/state JSON). Shapes are documented in terraform/envs/README.md.

output "contract_version" {
  description = "Version of the stack contract's shape; obsctl refuses roots it does not know (3 added clusters and replication)."
  value       = 3
}

output "environment" {
  description = "Environment name."
  value       = var.environment
}

output "region" {
  description = "AWS region of every resource."
  value       = local.region
}

output "account_id" {
  description = "AWS account that holds the stack."
  value       = local.account_id
}

output "name_prefix" {
  description = "Prefix of every bucket, key alias, role and table."
  value       = local.name_prefix
}

output "partition" {
  description = "AWS partition of every ARN (aws, aws-cn, aws-us-gov)."
  value       = local.partition
}

output "cluster" {
  description = "The first EKS cluster, eks_cluster_name (name, arn), and the OIDC provider its IRSA statements trust; every field null when only `clusters` names clusters."
  value = {
    name              = var.eks_cluster_name
    arn               = module.roles.cluster_arn
    oidc_provider_arn = module.roles.oidc_provider_arn
  }
}

output "clusters" {
  description = "Every cluster whose service accounts assume the roles, eks_cluster_name's included (keyed by its name): { name, account_id, arn, issuer_url, oidc_provider_arn, apps = { <app> = { identity, namespace, service_accounts, trust_subjects, helm_annotations } } }."
  value       = module.roles.clusters
}

output "replication" {
  description = "Cross-region replication, or null when off: { region, role_arn, delete_marker_replication, kms_keys = { <app> = { arn, alias } }, buckets = { <app> = { <store> = { name, arn, source, kms_key_arn, lifecycle_rules } } } }."
  value       = var.replication.enabled ? module.replica[0].replication : null
}

output "buckets" {
  description = "Buckets per app and store: { mimir = { blocks, ruler, alertmanager }, loki = { chunks, ruler[, admin] }, tempo = { traces } }, each { name, arn, holds_data, lifecycle_rules, expiry_guard }."
  value       = module.storage.buckets
}

output "kms_keys" {
  description = "The key of each storage app: { arn, alias, managed }."
  value       = module.storage.kms_keys
}

output "roles" {
  description = "The role of each app: { arn, name, identity, namespace, service_accounts (the app's own, which clusters inherit), trust_subjects (every subject any cluster may present), helm_annotations }."
  value       = module.roles.roles
}

output "dynamodb_tables" {
  description = "Legacy index tables per app (empty lists when off): [{ name, arn }]."
  value       = module.tables.tables
}

output "settings" {
  description = "What this environment asks for, so verification and Helm values can check and follow it."
  value = {
    retention_days                      = var.retention_days
    mimir_blocks_expiry                 = var.mimir_blocks_expiry
    loki_chunks_expiry                  = var.loki_chunks_expiry
    noncurrent_version_expiration_days  = var.noncurrent_version_expiration_days
    force_destroy                       = var.force_destroy
    transfer_acceleration               = var.transfer_acceleration
    access_logging                      = var.access_logging.enabled
    access_log_bucket                   = module.storage.access_log_bucket
    kms_strategy                        = var.kms.strategy
    kms_deletion_window_in_days         = var.kms.deletion_window_in_days
    dynamodb_deletion_protection        = var.dynamodb.deletion_protection
    dynamodb_billing_mode               = var.dynamodb.billing.mode
    dynamodb_index_prefix               = module.tables.index_prefix
    dynamodb_period_hours               = module.tables.period_hours
    dynamodb_ttl_attribute              = var.dynamodb.ttl_attribute
    kms_external_administrator_accounts = var.kms.external_administrator_accounts
  }
}

output "operations" {
  description = "Operational resources: the alert topic, the alarms and the audit trail (null when off)."
  value = {
    alert_topic_arn = local.alert_topic_arn
    alarm_names = concat(
      [for alarm in aws_cloudwatch_metric_alarm.s3_server_errors : alarm.alarm_name],
      [for arn in module.tables.alarm_arns : element(split(":alarm:", arn), 1)],
    )
    audit_trail_arn    = var.audit_trail.enabled ? aws_cloudtrail.this[0].arn : null
    audit_bucket       = var.audit_trail.enabled ? aws_s3_bucket.audit[0].bucket : null
    operations_key_arn = local.operations_on ? aws_kms_key.operations[0].arn : null
  }
}

output "reserved_tags" {
  description = "The tag keys the modules set on what they create: { environment, module, app, store, kms_key }."
  value       = local.tag_keys
}
