# The smallest useful stack: storage and roles for Mimir, Loki, Tempo and Grafana, with every
# default (one key per app, IRSA, lifecycle rules from the apps' retention).
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

  environment      = "demo"
  eks_cluster_name = var.eks_cluster_name
}

output "buckets" {
  description = "Bucket names per app and store."
  value       = module.stack.buckets
}

output "roles" {
  description = "Role per app with its Helm service-account annotation."
  value       = module.stack.roles
}
