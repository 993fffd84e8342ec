terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.70, < 7.0"
    }
  }

  # The state bucket cannot hold its own state before it exists: this root keeps a local state
  # (commit it nowhere; keep it with your infrastructure secrets, or migrate it into the bucket
  # afterwards with `terraform init -migrate-state`, see README).
  backend "local" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = var.tags
  }
}
