# The one place the three modules are wired together:
#   s3-kms  -> buckets and keys        -> iam (storage), dynamodb (table encryption keys)
#   dynamodb -> legacy index tables    -> iam (Loki's table permissions)
#   iam     -> one role per app, trusted by the clusters' service accounts
#   replica -> (optional) replica buckets and keys in a second region, and the replication
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id  = data.aws_caller_identity.current.account_id
  partition   = data.aws_partition.current.partition
  region      = data.aws_region.current.name
  name_prefix = var.name_prefix != null ? var.name_prefix : "lgtm-${var.environment}-${local.account_id}"

  storage_apps = setintersection(var.apps, ["mimir", "loki", "tempo"])
  tables_on    = (var.create_mimir_tables && contains(var.apps, "mimir")) || (var.create_loki_tables && contains(var.apps, "loki"))
  # The tag keys the stack reserves: the storage module's and the environment's.
  tag_keys = merge(module.storage.tag_keys, { environment = "lgtm:environment" })
  tags     = merge(var.tags, { (local.tag_keys.environment) = var.environment })

  # Periodic tables are granted by name prefix: 400 table ARNs would not fit IAM's 10,240
  # characters of inline policy per role (about 105 do, with the default name prefix).
  table_grants = var.dynamodb.periodic_tables == null ? module.tables.table_arns : {
    for app, arns in module.tables.table_arns : app => length(arns) == 0 ? [] : [
      "arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${module.tables.index_prefix[app]}*"
    ]
  }
}

module "storage" {
  source = "../s3-kms"

  name_prefix                        = local.name_prefix
  apps                               = local.storage_apps
  retention_days                     = var.retention_days
  mimir_blocks_expiry                = var.mimir_blocks_expiry
  loki_chunks_expiry                 = var.loki_chunks_expiry
  loki_admin_bucket                  = var.loki_admin_bucket
  storage_transitions                = var.storage_transitions
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
  kms                                = merge(var.kms, { via_services = local.tables_on ? ["dynamodb", "s3"] : ["s3"] })
  force_destroy                      = var.force_destroy
  access_logging = merge(var.access_logging, {
    source_bucket_names = var.audit_trail.enabled ? [local.audit_bucket_name] : []
  })
  transfer_acceleration = var.transfer_acceleration
  tags                  = local.tags
}

module "tables" {
  source = "../dynamodb"

  name_prefix              = local.name_prefix
  create_mimir_tables      = var.create_mimir_tables && contains(var.apps, "mimir")
  create_loki_tables       = var.create_loki_tables && contains(var.apps, "loki")
  kms_key_arns             = { for app, key in module.storage.kms_keys : app => key.arn if app != "tempo" }
  periodic_tables          = var.dynamodb.periodic_tables
  billing                  = var.dynamodb.billing
  global_secondary_indexes = var.dynamodb.global_secondary_indexes
  deletion_protection      = var.dynamodb.deletion_protection
  table_class              = var.dynamodb.table_class
  ttl_attribute            = var.dynamodb.ttl_attribute
  create_alarms            = var.alerts.enabled
  alarm_topic_arn          = local.alert_topic_arn
  tags                     = local.tags
}

module "roles" {
  source = "../iam"

  name_prefix              = local.name_prefix
  apps                     = { for app in var.apps : app => merge({ identity = "irsa" }, try(var.workloads[app], {})) }
  storage                  = module.storage.iam_storage
  dynamodb_table_arns      = local.table_grants
  cluster_name             = var.eks_cluster_name
  clusters                 = var.clusters
  oidc                     = var.oidc
  trust_policy_size_limit  = var.iam.trust_policy_size_limit
  grafana_access           = var.grafana_access
  permissions_boundary_arn = var.iam.permissions_boundary_arn
  role_path                = var.iam.role_path
  max_session_duration     = var.iam.max_session_duration
  tags                     = local.tags
}

module "replica" {
  source    = "../replica"
  count     = var.replication.enabled ? 1 : 0
  providers = { aws = aws, aws.replica = aws.replica }

  name_prefix   = local.name_prefix
  sources       = module.storage.replication_sources
  shared_key    = var.kms.strategy == "shared"
  kms           = { deletion_window_in_days = var.kms.deletion_window_in_days, rotation_period_in_days = var.kms.rotation_period_in_days, administrator_arns = var.kms.administrator_arns }
  force_destroy = var.force_destroy
  tag_keys      = module.storage.tag_keys
  tags          = local.tags
}
