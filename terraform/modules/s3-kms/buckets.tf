# One hardened bucket per store. Lifecycle rules are written inline: the standalone
# aws_s3_bucket_lifecycle_configuration resource always waits 10 s and then for 10 identical
# reads 5 s apart (about 55 s per bucket, on AWS and emulators alike) before it returns; the
# inline rules carry the same content without that wait. See README "Lifecycle rules".
resource "aws_s3_bucket" "this" {
  for_each = local.buckets

  # checkov:skip=CKV_AWS_144: Cross-region replication is an env choice made in the replica module (prod: replica_region), and verify's s3.replication accepts only the stack's own replica; this module keeps one Region.
  # checkov:skip=CKV2_AWS_62: Event notifications have no consumer: Mimir, Loki and Tempo poll their buckets.
  bucket        = each.value.name
  force_destroy = var.force_destroy
  # The key ARN tag also orders a destroy: the bucket goes first, so a bucket that refuses to
  # go (objects, no force_destroy) keeps its key instead of losing it to a scheduled deletion.
  tags = merge(local.common_tags, {
    (local.tag_keys.app)     = each.value.app
    (local.tag_keys.store)   = each.value.store
    (local.tag_keys.kms_key) = local.key_arn_by_app[each.value.app]
  })

  dynamic "lifecycle_rule" {
    for_each = local.lifecycle_rules[each.key]
    content {
      id                                     = lifecycle_rule.value.id
      prefix                                 = lifecycle_rule.value.prefix
      enabled                                = true
      abort_incomplete_multipart_upload_days = lifecycle_rule.value.abort_after_days

      dynamic "expiration" {
        for_each = lifecycle_rule.value.expiration_days != null || lifecycle_rule.value.expire_delete_markers != null ? [1] : []
        content {
          days                         = lifecycle_rule.value.expiration_days
          expired_object_delete_marker = lifecycle_rule.value.expire_delete_markers
        }
      }

      dynamic "noncurrent_version_expiration" {
        for_each = lifecycle_rule.value.noncurrent_expire_days == null ? [] : [1]
        content {
          days = lifecycle_rule.value.noncurrent_expire_days
        }
      }

      dynamic "transition" {
        for_each = lifecycle_rule.value.transitions
        content {
          days          = transition.value.days
          storage_class = transition.value.storage_class
        }
      }
    }
  }
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = local.key_arn_by_app[each.value.app]
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = local.buckets

  bucket                  = aws_s3_bucket.this[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# Deny plain HTTP and TLS below 1.2. No encryption-header conditions: they deny the CopyObject
# Tempo's compactor issues (grafana/tempo#5711); default encryption already applies the key.
resource "aws_s3_bucket_policy" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.transport_statements[each.key]
  })

  # Writing a policy while the public access block is being set fails with OperationAborted
  # (hashicorp/terraform-provider-aws#7628): one bucket-level change at a time.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }

  depends_on = [aws_s3_bucket_policy.this]
}

resource "aws_s3_bucket_accelerate_configuration" "this" {
  for_each = var.transfer_acceleration ? local.buckets : {}

  bucket = aws_s3_bucket.this[each.key].id
  status = "Enabled"
}

resource "aws_s3_bucket_logging" "this" {
  for_each = var.access_logging.enabled ? local.buckets : {}

  bucket        = aws_s3_bucket.this[each.key].id
  target_bucket = local.access_log_bucket_name
  target_prefix = "${var.access_logging.target_prefix}${each.value.name}/"

  # S3 refuses a log target whose policy does not yet admit the logging service.
  depends_on = [aws_s3_bucket_policy.access_logs]
}

locals {
  # TLS-only statements for every bucket this module creates, the access-log bucket included.
  bucket_arns = merge(
    { for key, bucket in aws_s3_bucket.this : key => bucket.arn },
    { for key, bucket in aws_s3_bucket.access_logs : "access-logs" => bucket.arn },
  )
  transport_statements = {
    for key, arn in local.bucket_arns : key => [
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [arn, "${arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
      {
        Sid       = "DenyOutdatedTLS"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [arn, "${arn}/*"]
        Condition = { NumericLessThan = { "s3:TlsVersion" = "1.2" } }
      },
    ]
  }
}
