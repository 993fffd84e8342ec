# A CloudTrail trail recording S3 data events on the telemetry buckets (CIS 3.8/3.9), into an
# audit bucket encrypted with the operations key. Management events are left to the account's
# organization trail; this trail exists for object-level access to telemetry.
locals {
  audit_bucket_name = "${local.name_prefix}-audit"
}

resource "aws_s3_bucket" "audit" {
  count = var.audit_trail.enabled ? 1 : 0

  # checkov:skip=CKV_AWS_144: Cross-region replication of the audit trail is left to the organization's log archive.
  # checkov:skip=CKV_AWS_18: Server access logs of the audit bucket would duplicate what CloudTrail already records.
  # checkov:skip=CKV2_AWS_62: Nothing consumes event notifications of trail files.
  # checkov:skip=CKV2_AWS_61: False positive: lifecycle rules are configured inline below (see the s3-kms module README).
  # checkov:skip=CKV_AWS_21: False positive: versioning is enabled in aws_s3_bucket_versioning.audit.
  # checkov:skip=CKV_AWS_145: False positive: SSE-KMS with the operations key is set in aws_s3_bucket_server_side_encryption_configuration.audit.
  bucket        = local.audit_bucket_name
  force_destroy = var.force_destroy
  tags          = merge(local.tags, { (local.tag_keys.store) = "audit" })

  lifecycle_rule {
    id                                     = "abort-incomplete-multipart-uploads"
    prefix                                 = ""
    enabled                                = true
    abort_incomplete_multipart_upload_days = 1
  }

  lifecycle_rule {
    id      = "expire-audit-logs"
    prefix  = ""
    enabled = true
    expiration {
      days = var.audit_trail.retention_days
    }
    noncurrent_version_expiration {
      days = var.noncurrent_version_expiration_days
    }
  }
}

resource "aws_s3_bucket_versioning" "audit" {
  count = var.audit_trail.enabled ? 1 : 0

  bucket = aws_s3_bucket.audit[0].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "audit" {
  count = var.audit_trail.enabled ? 1 : 0

  bucket = aws_s3_bucket.audit[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.operations[0].arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "audit" {
  count = var.audit_trail.enabled ? 1 : 0

  bucket                  = aws_s3_bucket.audit[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_policy" "audit" {
  count = var.audit_trail.enabled ? 1 : 0

  bucket = aws_s3_bucket.audit[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.audit[0].arn, "${aws_s3_bucket.audit[0].arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
      {
        Sid       = "DenyOutdatedTLS"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.audit[0].arn, "${aws_s3_bucket.audit[0].arn}/*"]
        Condition = { NumericLessThan = { "s3:TlsVersion" = "1.2" } }
      },
      {
        Sid       = "CloudTrailChecksTheBucketAcl"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:GetBucketAcl"
        Resource  = aws_s3_bucket.audit[0].arn
        Condition = { StringEquals = { "aws:SourceArn" = local.trail_arn } }
      },
      {
        Sid       = "CloudTrailWritesThisTrail"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.audit[0].arn}/cloudtrail/AWSLogs/${local.account_id}/*"
        Condition = {
          StringEquals = {
            "aws:SourceArn" = local.trail_arn
            "s3:x-amz-acl"  = "bucket-owner-full-control"
          }
        }
      },
    ]
  })

  depends_on = [aws_s3_bucket_public_access_block.audit]
}

resource "aws_s3_bucket_ownership_controls" "audit" {
  count = var.audit_trail.enabled ? 1 : 0

  bucket = aws_s3_bucket.audit[0].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }

  depends_on = [aws_s3_bucket_policy.audit]
}

resource "aws_cloudtrail" "this" {
  count = var.audit_trail.enabled ? 1 : 0

  # checkov:skip=CKV_AWS_67: A data-event trail for this region's telemetry buckets; multi-region management events belong to the organization trail.
  # checkov:skip=CKV_AWS_252: Trail delivery notifications have no subscriber; alerts come from CloudWatch alarms.
  # checkov:skip=CKV2_AWS_10: Streaming data events to CloudWatch Logs would double their cost; the trail is for audit, kept in S3.
  name                          = local.trail_name
  s3_bucket_name                = aws_s3_bucket.audit[0].id
  s3_key_prefix                 = "cloudtrail"
  kms_key_id                    = aws_kms_key.operations[0].arn
  enable_log_file_validation    = true
  include_global_service_events = false
  is_multi_region_trail         = false
  tags                          = local.tags

  event_selector {
    read_write_type           = var.audit_trail.read_write_type
    include_management_events = false

    data_resource {
      type   = "AWS::S3::Object"
      values = sort(flatten([for app, stores in module.storage.buckets : [for store, bucket in stores : "${bucket.arn}/"]]))
    }
  }

  depends_on = [aws_s3_bucket_policy.audit, aws_kms_key_policy.operations]
}
