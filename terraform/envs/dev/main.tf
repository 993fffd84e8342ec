# dev: cheap to run and easy to throw away. Buckets can be destroyed with their objects, keys
# leave after 7 days, tables carry no deletion protection, no access logs, alerts or trail.
module "stack" {
  source = "../../modules/stack"
  # dev keeps one region: the replica provider is the default one, and replication stays off.
  providers = { aws = aws, aws.replica = aws }

  environment      = "dev"
  name_prefix      = var.name_prefix
  eks_cluster_name = var.eks_cluster_name
  clusters         = var.clusters
  workloads        = var.workloads

  retention_days                     = var.retention_days
  noncurrent_version_expiration_days = 7
  force_destroy                      = true
  kms                                = { deletion_window_in_days = 7 }

  create_mimir_tables = var.create_mimir_tables
  create_loki_tables  = var.create_loki_tables
  dynamodb            = { deletion_protection = false }

  tags = merge(var.tags, { "lgtm:managed-by" = "terraform" })
}
