# Every knob of the three modules, wired by hand instead of through modules/stack: this is what
# a platform team writes when it composes its own root (see terraform/modules/README.md).
terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80, < 7.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

variable "eks_cluster_name" {
  description = "The EKS cluster whose service accounts assume the roles."
  type        = string
}

variable "name_prefix" {
  description = "Globally unique prefix for bucket names."
  type        = string
  default     = "acme-obs-prod"
}

module "storage" {
  source = "../../terraform/modules/s3-kms"

  name_prefix         = var.name_prefix
  apps                = ["mimir", "loki", "tempo"]
  retention_days      = { mimir = 395, loki = 31, tempo = 14 }
  mimir_blocks_expiry = { days = 420, tenant_prefixes = ["team-a/", "team-b/"] }
  loki_chunks_expiry  = { days = 33, tenant_prefixes = ["team-a/", "team-b/"] }
  loki_admin_bucket   = true
  storage_transitions = {
    mimir = [
      { days = 30, storage_class = "STANDARD_IA" },
      { days = 120, storage_class = "GLACIER_IR" },
    ]
    tempo = [{ days = 0, storage_class = "INTELLIGENT_TIERING" }]
  }
  noncurrent_version_expiration_days = 30

  kms = {
    strategy                = "per_app"
    deletion_window_in_days = 30
    rotation_period_in_days = 180
    administrator_arns      = ["arn:aws:iam::123456789012:role/platform-admin"]
    via_services            = ["s3", "dynamodb"]
  }

  access_logging        = { enabled = true, target_prefix = "s3/", retention_days = 400 }
  transfer_acceleration = false
  force_destroy         = false
  tags                  = { team = "observability", cost-center = "1234" }
}

module "tables" {
  source = "../../terraform/modules/dynamodb"

  name_prefix        = var.name_prefix
  create_loki_tables = true
  kms_key_arns       = { loki = module.storage.kms_keys["loki"].arn }
  periodic_tables    = { period_hours = 168, first_period = 2900, count = 12 }
  billing = {
    mode        = "PROVISIONED"
    provisioned = { read = { min = 5, max = 200 }, write = { min = 5, max = 200 } }
  }
  table_class         = "STANDARD_INFREQUENT_ACCESS"
  deletion_protection = true
  tags                = { team = "observability" }
}

module "roles" {
  source = "../../terraform/modules/iam"

  name_prefix = var.name_prefix
  apps = {
    mimir   = { namespace = "metrics", service_accounts = ["mimir", "mimir-ruler", "mimir-alertmanager"] }
    loki    = { namespace = "logs" }
    tempo   = { namespace = "traces" }
    grafana = { namespace = "dashboards" }
  }
  storage             = module.storage.iam_storage
  dynamodb_table_arns = module.tables.table_arns
  cluster_name        = var.eks_cluster_name
  grafana_access = {
    cloudwatch_metrics    = true
    cloudwatch_logs       = true
    cloudwatch_log_groups = ["/aws/eks/${var.eks_cluster_name}/*"]
    xray                  = true
    prometheus_query      = true
  }
  permissions_boundary_arn = "arn:aws:iam::123456789012:policy/platform-boundary"
  role_path                = "/observability/"
  max_session_duration     = 7200
  tags                     = { team = "observability" }
}

output "buckets" {
  description = "Bucket names per app and store."
  value       = module.storage.buckets
}

output "roles" {
  description = "Role per app with its Helm service-account annotation."
  value       = module.roles.roles
}

output "loki_index" {
  description = "Loki's legacy index.prefix and period."
  value       = { prefix = module.tables.index_prefix["loki"], period_hours = module.tables.period_hours }
}
