locals {
  # Keys this module creates: one per app, one shared, or none when the caller brings keys.
  managed_keys = {
    per_app  = { for app in var.apps : app => "${var.name_prefix}-${app}" }
    shared   = { telemetry = "${var.name_prefix}-telemetry" }
    existing = {}
  }[var.kms.strategy]

  key_arn_by_app = {
    for app in var.apps : app => {
      per_app  = try(aws_kms_key.this[app].arn, null)
      shared   = try(aws_kms_key.this["telemetry"].arn, null)
      existing = try(var.kms.existing_key_arns[app], null)
    }[var.kms.strategy]
  }

  key_policy_statements = concat(
    [{
      # Root delegation: IAM policies (the iam module's roles) decide who may use the key.
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
      # Data keys only through the storage services: even a role granted kms:Decrypt on this
      # key cannot call KMS directly with it, only through S3 (or DynamoDB) on its own behalf.
      Sid       = "UseOnlyThroughStorageServices"
      Effect    = "Deny"
      Principal = { AWS = "*" }
      Action    = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
      Resource  = "*"
      Condition = {
        StringNotEquals = {
          "kms:ViaService" = [for service in sort(var.kms.via_services) : "${service}.${local.region}.amazonaws.com"]
        }
      }
    }],
  )
}

# The key policy is a separate resource: a policy set inside aws_kms_key adds a second 4-s
# propagation wait to the key's creation, while aws_kms_key_policy runs beside the buckets.
resource "aws_kms_key" "this" {
  for_each = local.managed_keys

  description             = "LGTM telemetry storage (${each.key}) for ${var.name_prefix}"
  deletion_window_in_days = var.kms.deletion_window_in_days
  enable_key_rotation     = true
  rotation_period_in_days = var.kms.rotation_period_in_days
  tags                    = merge(local.common_tags, { (local.tag_keys.app) = each.key })
}

resource "aws_kms_key_policy" "this" {
  for_each = local.managed_keys

  key_id = aws_kms_key.this[each.key].key_id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.key_policy_statements })

  lifecycle {
    # Every key administrator gets kms:* minus use on every key: one of another account
    # administers the stack's data keys from outside it unless that account is named.
    precondition {
      condition     = length(local.foreign_administrators) == 0
      error_message = "kms.administrator_arns names ${join(", ", local.foreign_administrators)}, outside account ${local.account_id}: a key administrator controls every key of the stack. List the account in kms.external_administrator_accounts if that is intended."
    }
  }
}

locals {
  foreign_administrators = [
    for arn in var.kms.administrator_arns : arn
    if !contains(concat([local.account_id], var.kms.external_administrator_accounts), split(":", arn)[4])
  ]
}

resource "aws_kms_alias" "this" {
  for_each = local.managed_keys

  name          = "alias/${each.value}"
  target_key_id = aws_kms_key.this[each.key].key_id
}
