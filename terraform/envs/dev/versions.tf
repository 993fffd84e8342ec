terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80, < 7.0"
    }
  }

  # Local state in this folder (obsctl keeps its own copy under .obsctl/ per target).
  backend "local" {}
}

provider "aws" {
  region = var.region
}
