# Loki 3.x with its index still in DynamoDB (store aws; deprecated since Loki 3.0, removed in
# 4.0): weekly periodic tables, on demand with a throughput ceiling, PITR, SSE with Loki's key,
# and alarms on throttling into an encrypted alert topic. New installs use tsdb/v13 on S3.
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
  region = "us-east-1"
}

variable "eks_cluster_name" {
  description = "The EKS cluster whose service accounts assume the roles."
  type        = string
}

module "stack" {
  source = "../../terraform/modules/stack"
  # One region: the replica provider the stack takes (for optional replication) is the default.
  providers = { aws = aws, aws.replica = aws }

  environment         = "legacy"
  eks_cluster_name    = var.eks_cluster_name
  apps                = ["loki", "grafana"]
  create_loki_tables  = true
  create_mimir_tables = false
  dynamodb = {
    periodic_tables = { period_hours = 168, first_period = 2900, count = 8 }
    billing = {
      mode      = "PAY_PER_REQUEST"
      on_demand = { max_read_request_units = 4000, max_write_request_units = 2000 }
    }
  }
  alerts = { enabled = true }
}

output "dynamodb_tables" {
  description = "The periodic Loki index tables."
  value       = module.stack.dynamodb_tables
}

output "loki_index" {
  description = "What Loki's schema_config needs: index.prefix and index.period."
  value = {
    prefix       = module.stack.settings.dynamodb_index_prefix["loki"]
    period_hours = module.stack.settings.dynamodb_period_hours
  }
}
