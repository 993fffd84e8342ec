terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80, < 7.0"
    }
  }

  # Remote state with S3-native locking (Terraform >= 1.10). Bucket, key and region come from a
  # backend config file: `terraform init -backend-config=backend.hcl` (see backend.hcl.example),
  # or Terraform asks for them. `obsctl up --env prod` writes and uses its own.
  backend "s3" {}
}

provider "aws" {
  region = var.region
}

# The second region of the replica buckets and keys; the stack's own region while replication
# is off (the provider then manages nothing).
provider "aws" {
  alias  = "replica"
  region = coalesce(var.replica_region, var.region)
}
