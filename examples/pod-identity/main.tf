# EKS Pod Identity instead of IRSA: no OIDC provider, the roles trust pods.eks.amazonaws.com
# and the module creates the associations, so the charts need no service-account annotation.
# Requires the EKS Pod Identity Agent add-on, and Mimir/Loki/Tempo versions whose AWS SDK
# supports it (Tempo >= 2.6; see lgtm-requirements in the design notes).
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
  description = "The EKS cluster with the Pod Identity Agent add-on."
  type        = string
}

module "stack" {
  source = "../../terraform/modules/stack"
  # One region: the replica provider the stack takes (for optional replication) is the default.
  providers = { aws = aws, aws.replica = aws }

  environment      = "pods"
  eks_cluster_name = var.eks_cluster_name
  workloads = {
    mimir   = { identity = "pod_identity" }
    loki    = { identity = "pod_identity" }
    tempo   = { identity = "pod_identity" }
    grafana = { identity = "pod_identity" }
  }
}

output "roles" {
  description = "Roles; helm_annotations is empty because Pod Identity binds accounts by name."
  value       = module.stack.roles
}
