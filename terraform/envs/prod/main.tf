# prod: data is protected. Buckets refuse to be destroyed while they hold objects, keys keep
# the 30-day deletion window, tables carry deletion protection, every bucket writes access logs,
# alarms reach an encrypted SNS topic and a trail records object-level writes.
module "stack" {
  source    = "../../modules/stack"
  providers = { aws = aws, aws.replica = aws.replica }

  environment      = "prod"
  name_prefix      = var.name_prefix
  eks_cluster_name = var.eks_cluster_name
  clusters         = var.clusters
  workloads        = var.workloads

  retention_days                     = var.retention_days
  noncurrent_version_expiration_days = 30
  force_destroy                      = false
  kms = {
    deletion_window_in_days = 30
    administrator_arns      = var.kms_administrator_arns
  }
  # Compacted Mimir blocks move to Standard-IA after 30 days (objects under 128 KB stay in
  # Standard). No Glacier Instant Retrieval: store-gateways read old blocks in small ranges, and
  # its retrieval fees then cost up to 3x what it saves (INTEGRATION_EXAMPLE.md, "Mimir blocks
  # tiering"; python -m tools.mimir_tiering).
  storage_transitions = {
    mimir = [{ days = 30, storage_class = "STANDARD_IA" }]
  }
  access_logging = { enabled = true, retention_days = 365 }

  create_mimir_tables = var.create_mimir_tables
  create_loki_tables  = var.create_loki_tables
  dynamodb            = { deletion_protection = true }

  alerts      = { enabled = true, email_addresses = var.alert_email_addresses }
  audit_trail = { enabled = true, read_write_type = "WriteOnly", retention_days = 365 }

  # -var replica_region=<region>: every bucket replicated there (off unless a region is given).
  replication = { enabled = var.replica_region != null }

  tags = merge(var.tags, { "lgtm:managed-by" = "terraform" })
}
