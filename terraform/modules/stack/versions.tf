terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80, < 7.0"
      # aws.replica: the second region of the replica buckets and keys (replication.enabled).
      # Callers without replication pass their default provider: aws.replica = aws.
      configuration_aliases = [aws.replica]
    }
  }
}
