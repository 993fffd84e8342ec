# The bucket that holds every env's remote state (terraform/envs/prod: backend "s3" with
# use_lockfile). State is the most sensitive object of the stack: it lists every resource and
# can hold secrets, and losing it orphans everything. So: versioned (every apply keeps the
# previous version), encrypted, never public, TLS only, owner-enforced, and old versions expire.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id  = data.aws_caller_identity.current.account_id
  partition   = data.aws_partition.current.partition
  bucket_name = var.bucket_name != null ? var.bucket_name : "lgtm-tfstate-${local.account_id}"
  use_kms     = var.encryption.sse_algorithm == "aws:kms"
  create_key  = local.use_kms && var.encryption.kms_key_arn == null
  kms_key_arn = local.create_key ? aws_kms_key.this[0].arn : (local.use_kms ? var.encryption.kms_key_arn : null)
}

##############################################################################
# Key (SSE-KMS, the default)
##############################################################################

# Reading a state version then needs kms:Decrypt on this key as well as s3:GetObject, and every
# decryption is logged by CloudTrail. The key policy delegates to IAM (the account root), so the
# identity policies of the roles that run Terraform decide who reads state.
resource "aws_kms_key" "this" {
  count = local.create_key ? 1 : 0

  description             = "Terraform state in s3://${local.bucket_name}"
  deletion_window_in_days = var.encryption.deletion_window_in_days
  enable_key_rotation     = true
}

resource "aws_kms_key_policy" "this" {
  count = local.create_key ? 1 : 0

  key_id = aws_kms_key.this[0].key_id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AccountRootDelegation"
      Effect    = "Allow"
      Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}

resource "aws_kms_alias" "this" {
  count = local.create_key ? 1 : 0

  name          = "alias/${local.bucket_name}"
  target_key_id = aws_kms_key.this[0].key_id
}

##############################################################################
# Bucket
##############################################################################

# The lifecycle rule is written inline: the standalone aws_s3_bucket_lifecycle_configuration
# resource waits about 55 s for consistent reads after every write (the same reason as
# terraform/modules/s3-kms/buckets.tf), and this root also runs on the local AWS before every
# first `obsctl up --env prod`.
resource "aws_s3_bucket" "this" {
  # checkov:skip=CKV_AWS_144: Cross-region replication of state is left to the account's backup policy; versioning already keeps every previous state version in-region.
  # checkov:skip=CKV_AWS_19: False positive: default encryption (SSE-KMS unless SSE-S3 is chosen) is set in aws_s3_bucket_server_side_encryption_configuration.this.
  # checkov:skip=CKV_AWS_145: False positive when sse_algorithm is aws:kms (set in aws_s3_bucket_server_side_encryption_configuration.this); SSE-S3 is an explicit, documented choice (README "Encryption").
  # checkov:skip=CKV2_AWS_62: Event notifications have no consumer: Terraform reads the bucket on demand.
  bucket        = local.bucket_name
  force_destroy = var.force_destroy

  lifecycle_rule {
    id                                     = "expire-noncurrent-state-versions"
    enabled                                = true
    abort_incomplete_multipart_upload_days = 1

    # Removes the delete marker of a state key once its last noncurrent version expired.
    expiration {
      expired_object_delete_marker = true
    }

    noncurrent_version_expiration {
      days = var.noncurrent_version_expiration_days
    }
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.encryption.sse_algorithm
      kms_master_key_id = local.kms_key_arn
    }
    bucket_key_enabled = local.use_kms
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# Deny plain HTTP and TLS below 1.2. Off only where the endpoint has no TLS at all (an emulator
# on loopback, such as obsctl's local AWS, which also ignores the condition and would deny all).
resource "aws_s3_bucket_policy" "this" {
  count = var.require_tls ? 1 : 0

  bucket = aws_s3_bucket.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
      {
        Sid       = "DenyOutdatedTLS"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]
        Condition = { NumericLessThan = { "s3:TlsVersion" = "1.2" } }
      },
    ]
  })

  # A policy written while the public access block changes fails with OperationAborted.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }

  depends_on = [aws_s3_bucket_policy.this]
}

resource "aws_s3_bucket_logging" "this" {
  count = var.access_log_bucket == null ? 0 : 1

  bucket        = aws_s3_bucket.this.id
  target_bucket = var.access_log_bucket
  target_prefix = "tfstate/${local.bucket_name}/"
}
