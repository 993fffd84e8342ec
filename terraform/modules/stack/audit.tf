# A multi-Region CloudTrail trail recording S3 data events on the telemetry buckets (CIS 3.8/3.9)
# and read and write management events of every Region (CloudTrail.1; off when an organization
# trail records them), into an audit bucket encrypted with the operations key, versioned and
# access-logged (CloudTrail.7): reads and deletes of the evidence are themselves recorded.
locals {
  audit_bucket_name = "${local.name_prefix}-audit"
}

resource "aws_s3_bucket" "audit" {
  count = var.audit_trail.enabled ? 1 : 0

  # checkov:skip=CKV_AWS_144: A copy in another Region is the organization's log archive's job; the stack keeps one Region and does not create buckets elsewhere.
  # checkov:skip=CKV2_AWS_62: Nothing consumes event notifications of trail files; alerts come from CloudWatch alarms.
  bucket        = local.audit_bucket_name
  force_destroy = var.force_destroy
  tags          = merge(local.tags, { (local.tag_keys.store) = "audit" })

  lifecycle {
    precondition {
      condition     = var.access_logging.enabled
      error_message = "audit_trail.enabled needs access_logging.enabled: the audit bucket's own reads and deletes must be logged (CloudTrail.7), or the evidence can vanish unseen."
    }
  }

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

resource "aws_s3_bucket_logging" "audit" {
  count = var.audit_trail.enabled && var.access_logging.enabled ? 1 : 0

  bucket        = aws_s3_bucket.audit[0].id
  target_bucket = module.storage.access_log_bucket
  target_prefix = "${var.access_logging.target_prefix}${local.audit_bucket_name}/"

  # S3 refuses a log target whose policy does not yet admit log delivery from this bucket.
  depends_on = [module.storage]
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

  # checkov:skip=CKV_AWS_252: A notification per delivered log file has no subscriber; alerts come from CloudWatch alarms, and the topic's key policy admits only CloudWatch.
  # checkov:skip=CKV2_AWS_10: Streaming every data event to CloudWatch Logs would bill them twice; the trail is evidence kept in the versioned, access-logged audit bucket.
  name                          = local.trail_name
  s3_bucket_name                = aws_s3_bucket.audit[0].id
  s3_key_prefix                 = "cloudtrail"
  kms_key_id                    = aws_kms_key.operations[0].arn
  enable_logging                = true
  enable_log_file_validation    = true
  include_global_service_events = true
  is_multi_region_trail         = true
  tags                          = local.tags

  dynamic "event_selector" {
    for_each = var.audit_trail.management_events ? [1] : []
    content {
      read_write_type           = "All"
      include_management_events = true
    }
  }

  event_selector {
    read_write_type           = var.audit_trail.read_write_type
    include_management_events = false

    data_resource {
      type = "AWS::S3::Object"
      # The telemetry buckets and, with replication, their replicas (a multi-Region trail
      # records data events of buckets in other Regions too).
      values = sort(concat(
        flatten([for app, stores in module.storage.buckets : [for store, bucket in stores : "${bucket.arn}/"]]),
        flatten([for replica in module.replica : [for app, stores in replica.replication.buckets : [for store, bucket in stores : "${bucket.arn}/"]]]),
      ))
    }
  }

  depends_on = [aws_s3_bucket_policy.audit, aws_kms_key_policy.operations]
}
