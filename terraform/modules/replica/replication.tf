# The role S3 replicates with, and what it may do: read the source versions it replicates and
# write them as replicas, nothing else. Both sides use SSE-KMS with a Bucket Key, so KMS sees
# the bucket ARN as encryption context (not the object's): each key is usable only through S3
# in its own region, for its own app's buckets.
resource "aws_iam_role" "replication" {
  name        = "${var.name_prefix}-replication"
  description = "S3 replication of ${var.name_prefix}'s telemetry buckets to ${local.replica_region}."
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "S3ReplicatesThisStacksBuckets"
      Effect    = "Allow"
      Principal = { Service = "s3.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
        ArnLike      = { "aws:SourceArn" = sort([for key, source in var.sources : source.arn]) }
      }
    }]
  })
  tags = local.common_tags
}

locals {
  source_arns  = { for app in local.apps : app => sort([for key, source in var.sources : source.arn if source.app == app]) }
  replica_arns = { for app in local.apps : app => sort([for key, source in var.sources : local.replica_arn[key] if source.app == app]) }

  replication_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "ReadSourceReplicationConfiguration"
          Effect   = "Allow"
          Action   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
          Resource = sort([for key, source in var.sources : source.arn])
        },
        {
          # ...ForReplication, not s3:GetObjectVersion: only it reads SSE-KMS objects for S3.
          Sid      = "ReadSourceVersions"
          Effect   = "Allow"
          Action   = ["s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging"]
          Resource = sort([for key, source in var.sources : "${source.arn}/*"])
        },
        {
          Sid      = "WriteReplicas"
          Effect   = "Allow"
          Action   = ["s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags"]
          Resource = sort([for key, source in var.sources : "${local.replica_arn[key]}/*"])
        },
      ],
      flatten([
        for app in local.apps : [
          {
            Sid      = "DecryptSources${title(app)}"
            Effect   = "Allow"
            Action   = "kms:Decrypt"
            Resource = distinct([for key, source in var.sources : source.kms_key_arn if source.app == app])
            Condition = {
              StringEquals = {
                "kms:ViaService"                   = "s3.${local.region}.amazonaws.com"
                "kms:EncryptionContext:aws:s3:arn" = local.source_arns[app]
              }
            }
          },
          {
            # Decrypt too: with a Bucket Key, S3 checks the replica key's data key it reuses.
            Sid      = "EncryptReplicas${title(app)}"
            Effect   = "Allow"
            Action   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
            Resource = [local.replica_key_arn[app]]
            Condition = {
              StringEquals = {
                "kms:ViaService"                   = "s3.${local.replica_region}.amazonaws.com"
                "kms:EncryptionContext:aws:s3:arn" = local.replica_arns[app]
              }
            }
          },
        ]
      ]),
    )
  })
}

resource "aws_iam_role_policy" "replication" {
  name   = "s3-replication"
  role   = aws_iam_role.replication.name
  policy = local.replication_policy
}

resource "aws_iam_role_policies_exclusive" "replication" {
  role_name    = aws_iam_role.replication.name
  policy_names = [aws_iam_role_policy.replication.name]
}

resource "aws_iam_role_policy_attachments_exclusive" "replication" {
  role_name   = aws_iam_role.replication.name
  policy_arns = []
}

# One rule per source bucket: every object (SSE-KMS ones included, which S3 skips unless asked)
# and delete markers, into the replica under the replica key. Delete markers matter here: the
# Mimir and Tempo compactors delete blocks, and without their markers the replica would keep
# every deleted block as a current object for good (Mimir blocks have no expiry rule). Markers
# that lifecycle expiry adds are not replicated, but the replica expires on the same rules.
resource "aws_s3_bucket_replication_configuration" "this" {
  for_each = var.sources

  # Through the source's versioning resource when given: S3 refuses the configuration before.
  bucket = coalesce(each.value.versioned_name, each.value.name)
  role   = aws_iam_role.replication.arn

  rule {
    id       = "replicate-to-${local.replica_region}"
    priority = 1
    status   = "Enabled"

    filter {
      prefix = ""
    }

    delete_marker_replication {
      status = "Enabled"
    }

    source_selection_criteria {
      sse_kms_encrypted_objects {
        status = "Enabled"
      }
    }

    destination {
      bucket        = aws_s3_bucket.replica[each.key].arn
      storage_class = "STANDARD"

      encryption_configuration {
        replica_kms_key_id = local.replica_key_arn[each.value.app]
      }
    }
  }

  # S3 refuses a destination that is not versioned yet, and replicates only once the role may.
  depends_on = [aws_s3_bucket_versioning.replica, aws_iam_role_policy.replication]
}
