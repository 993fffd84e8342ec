terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80, < 7.0"
      # aws: the stack's region (its buckets, the replication role and configurations);
      # aws.replica: the second region, where the replica buckets and keys live.
      configuration_aliases = [aws.replica]
    }
  }
}
