# Cross-region replication of the telemetry buckets: a replica bucket and key in a second
# region (the aws.replica provider) for each bucket of the stack, the role S3 replicates with,
# and one replication configuration per source bucket (README "What S3 does with it").
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

data "aws_region" "replica" {
  provider = aws.replica

  lifecycle {
    postcondition {
      condition     = self.name != data.aws_region.current.name
      error_message = "The replica region is ${self.name}, the stack's own region: a replica protects against the loss of a region only in another one, so give the aws.replica provider a second region."
    }
  }
}

locals {
  account_id     = data.aws_caller_identity.current.account_id
  partition      = data.aws_partition.current.partition
  region         = data.aws_region.current.name
  replica_region = data.aws_region.replica.name

  apps = sort(distinct([for key, source in var.sources : source.app]))

  # One replica key per app, or one for all (the s3-kms shared strategy).
  replica_keys = var.shared_key ? { telemetry = "${var.name_prefix}-telemetry-replica" } : {
    for app in local.apps : app => "${var.name_prefix}-${app}-replica"
  }
  replica_key_arn = {
    for app in local.apps : app => aws_kms_key.replica[var.shared_key ? "telemetry" : app].arn
  }

  replica_names = { for key, source in var.sources : key => "${source.name}-replica" }
  # S3 bucket ARNs follow from the name: policies built from them are known at plan time.
  replica_arn = { for key, name in local.replica_names : key => "arn:${local.partition}:s3:::${name}" }
  common_tags = merge(var.tags, { (var.tag_keys.module) = "replica" })
}
