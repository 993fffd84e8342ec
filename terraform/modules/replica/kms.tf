# Replica keys: plain single-region keys in the replica region (S3 treats multi-Region keys as
# single-Region ones, so they would add nothing). Their policy mirrors the s3-kms keys': IAM
# decides who uses them, and only through S3 in the replica region.
resource "aws_kms_key" "replica" {
  provider = aws.replica
  for_each = local.replica_keys

  description             = "LGTM telemetry replica (${each.key}) for ${var.name_prefix}"
  deletion_window_in_days = var.kms.deletion_window_in_days
  enable_key_rotation     = true
  rotation_period_in_days = var.kms.rotation_period_in_days
  tags                    = merge(local.common_tags, { (var.tag_keys.app) = each.key })
}

resource "aws_kms_key_policy" "replica" {
  provider = aws.replica
  for_each = local.replica_keys

  key_id = aws_kms_key.replica[each.key].key_id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [{
        Sid       = "AccountRootDelegation"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      }],
      length(var.kms.administrator_arns) == 0 ? [] : [{
        Sid       = "KeyAdministrators"
        Effect    = "Allow"
        Principal = { AWS = var.kms.administrator_arns }
        Action = [
          "kms:CancelKeyDeletion", "kms:Create*", "kms:Delete*", "kms:Describe*", "kms:Disable*",
          "kms:Enable*", "kms:Get*", "kms:List*", "kms:Put*", "kms:Revoke*", "kms:RotateKeyOnDemand",
          "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:Update*",
        ]
        Resource = "*"
      }],
      [{
        Sid       = "UseOnlyThroughStorageServices"
        Effect    = "Deny"
        Principal = { AWS = "*" }
        Action    = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
        Resource  = "*"
        Condition = { StringNotEquals = { "kms:ViaService" = ["s3.${local.replica_region}.amazonaws.com"] } }
      }],
    )
  })
}

resource "aws_kms_alias" "replica" {
  provider = aws.replica
  for_each = local.replica_keys

  name          = "alias/${each.value}"
  target_key_id = aws_kms_key.replica[each.key].key_id
}
