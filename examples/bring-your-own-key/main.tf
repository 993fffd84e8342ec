# Keys managed elsewhere (a central security account or module): the storage uses them and
# creates no key, alias or key policy. Their key policies must let this account's roles use
# them (root delegation is enough in the same account).
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

variable "key_arns" {
  description = "The key ARN (not an alias) each app's buckets are encrypted with."
  type        = map(string)
  default = {
    mimir = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    loki  = "arn:aws:kms:us-east-1:123456789012:key/66666666-7777-8888-9999-000000000000"
    tempo = "arn:aws:kms:us-east-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"
  }
}

module "stack" {
  source = "../../terraform/modules/stack"
  # One region: the replica provider the stack takes (for optional replication) is the default.
  providers = { aws = aws, aws.replica = aws }

  environment      = "byok"
  eks_cluster_name = var.eks_cluster_name
  kms              = { strategy = "existing", existing_key_arns = var.key_arns }
}

output "kms_keys" {
  description = "The keys in use (managed = false)."
  value       = module.stack.kms_keys
}
