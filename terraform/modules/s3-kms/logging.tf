# The access-log bucket, created when access logging is on and no target bucket is given.
# S3 delivers server access logs only into buckets encrypted with SSE-S3, not SSE-KMS.
locals {
  create_log_bucket      = var.access_logging.enabled && var.access_logging.target_bucket == null
  access_log_bucket_name = var.access_logging.target_bucket != null ? var.access_logging.target_bucket : "${var.name_prefix}-access-logs"
}

resource "aws_s3_bucket" "access_logs" {
  count = local.create_log_bucket ? 1 : 0

  # checkov:skip=CKV_AWS_144: Cross-region replication of access logs is out of scope; they are an audit aid kept in-region.
  # checkov:skip=CKV_AWS_145: S3 server access logging only delivers into SSE-S3 (AES256) buckets; SSE-KMS is not supported for log targets.
  # checkov:skip=CKV_AWS_18: This is the access-log target itself; logging it into itself would loop.
  # checkov:skip=CKV2_AWS_62: No consumer for event notifications on log objects.
  bucket        = local.access_log_bucket_name
  force_destroy = var.force_destroy
  tags          = merge(local.common_tags, { (local.tag_keys.store) = "access-logs" })

  lifecycle_rule {
    id                                     = "abort-incomplete-multipart-uploads"
    prefix                                 = ""
    enabled                                = true
    abort_incomplete_multipart_upload_days = 1
  }

  lifecycle_rule {
    id      = "expire-access-logs"
    prefix  = ""
    enabled = true
    expiration {
      days = var.access_logging.retention_days
    }
    noncurrent_version_expiration {
      days = var.noncurrent_version_expiration_days
    }
  }
}

resource "aws_s3_bucket_versioning" "access_logs" {
  count = local.create_log_bucket ? 1 : 0

  bucket = aws_s3_bucket.access_logs[0].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  count = local.create_log_bucket ? 1 : 0

  bucket = aws_s3_bucket.access_logs[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  count = local.create_log_bucket ? 1 : 0

  bucket                  = aws_s3_bucket.access_logs[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_policy" "access_logs" {
  count = local.create_log_bucket ? 1 : 0

  bucket = aws_s3_bucket.access_logs[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(local.transport_statements["access-logs"], [{
      Sid       = "AllowAccessLogDeliveryFromTelemetryBuckets"
      Effect    = "Allow"
      Principal = { Service = "logging.s3.amazonaws.com" }
      Action    = "s3:PutObject"
      Resource  = "${aws_s3_bucket.access_logs[0].arn}/${var.access_logging.target_prefix}*"
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
        ArnLike = { "aws:SourceArn" = concat(
          [for bucket in aws_s3_bucket.this : bucket.arn],
          [for name in var.access_logging.source_bucket_names : "arn:${local.partition}:s3:::${name}"],
        ) }
      }
    }])
  })

  depends_on = [aws_s3_bucket_public_access_block.access_logs]
}

resource "aws_s3_bucket_ownership_controls" "access_logs" {
  count = local.create_log_bucket ? 1 : 0

  bucket = aws_s3_bucket.access_logs[0].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }

  depends_on = [aws_s3_bucket_policy.access_logs]
}
