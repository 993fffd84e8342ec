# Replica buckets, hardened as their sources are: versioned, SSE-KMS with a Bucket Key under
# the replica key, private, owner-enforced, TLS 1.2+ only. Each keeps its source's lifecycle
# rules (S3 does not replicate lifecycle actions), so expiry, noncurrent expiry and tiering,
# and with them each app's retention, are the same in both regions.
resource "aws_s3_bucket" "replica" {
  provider = aws.replica
  for_each = var.sources

  # checkov:skip=CKV_AWS_144: This is the replica: replicating it again would add a third copy of the same data.
  # checkov:skip=CKV_AWS_145: False positive: SSE-KMS with the replica key is set in aws_s3_bucket_server_side_encryption_configuration.replica.
  # checkov:skip=CKV2_AWS_62: Only S3 replication writes here; nothing consumes event notifications.
  # checkov:skip=CKV_AWS_18: Only the replication role writes here; server access logs would need a second log bucket in the replica region, and CloudTrail data events cover the source.
  # checkov:skip=CKV2_AWS_61: False positive: lifecycle rules are configured inline below (see the s3-kms module README).
  # checkov:skip=CKV_AWS_21: False positive: versioning is enabled in aws_s3_bucket_versioning.replica.
  bucket        = local.replica_names[each.key]
  force_destroy = var.force_destroy
  tags = merge(local.common_tags, {
    (var.tag_keys.app)     = each.value.app
    (var.tag_keys.store)   = each.value.store
    (var.tag_keys.kms_key) = local.replica_key_arn[each.value.app]
  })

  dynamic "lifecycle_rule" {
    for_each = each.value.lifecycle_rules
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

resource "aws_s3_bucket_versioning" "replica" {
  provider = aws.replica
  for_each = var.sources

  bucket = aws_s3_bucket.replica[each.key].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "replica" {
  provider = aws.replica
  for_each = var.sources

  bucket = aws_s3_bucket.replica[each.key].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = local.replica_key_arn[each.value.app]
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "replica" {
  provider = aws.replica
  for_each = var.sources

  bucket                  = aws_s3_bucket.replica[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_policy" "replica" {
  provider = aws.replica
  for_each = var.sources

  bucket = aws_s3_bucket.replica[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.replica[each.key].arn, "${aws_s3_bucket.replica[each.key].arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
      {
        Sid       = "DenyOutdatedTLS"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.replica[each.key].arn, "${aws_s3_bucket.replica[each.key].arn}/*"]
        Condition = { NumericLessThan = { "s3:TlsVersion" = "1.2" } }
      },
    ]
  })

  depends_on = [aws_s3_bucket_public_access_block.replica]
}

resource "aws_s3_bucket_ownership_controls" "replica" {
  provider = aws.replica
  for_each = var.sources

  bucket = aws_s3_bucket.replica[each.key].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }

  depends_on = [aws_s3_bucket_policy.replica]
}
