# The choices: SSE-S3, a key you bring, a bucket name of yours, access logs, an emulator
# without TLS, and how long old state versions stay.

mock_provider "aws" {
  source = "./tests/mocks"
}

run "sse_s3_creates_no_key_and_the_backend_needs_none" {
  command = apply

  variables {
    encryption = { sse_algorithm = "AES256" }
  }

  assert {
    condition     = length(aws_kms_key.this) == 0 && length(aws_kms_alias.this) == 0 && output.kms_key_arn == null
    error_message = "SSE-S3 needs no key."
  }

  assert {
    condition = one([
      for rule in aws_s3_bucket_server_side_encryption_configuration.this.rule :
      rule.apply_server_side_encryption_by_default[0].sse_algorithm == "AES256" &&
      rule.apply_server_side_encryption_by_default[0].kms_master_key_id == null
    ])
    error_message = "Default encryption is AES256 without a key ID."
  }

  assert {
    condition     = !contains(keys(output.backend_config), "kms_key_id") && !strcontains(output.backend_hcl, "kms_key_id")
    error_message = "Without a key the backend settings carry no kms_key_id."
  }
}

run "a_key_you_bring_is_used_and_none_is_created" {
  command = apply

  variables {
    encryption = { kms_key_arn = "arn:aws:kms:eu-west-1:210987654321:key/abcd" }
  }

  assert {
    condition     = length(aws_kms_key.this) == 0 && output.kms_key_arn == "arn:aws:kms:eu-west-1:210987654321:key/abcd"
    error_message = "A given key is used as it is."
  }

  assert {
    condition     = output.backend_config.kms_key_id == "arn:aws:kms:eu-west-1:210987654321:key/abcd"
    error_message = "The backend must encrypt with the given key."
  }
}

run "names_logs_and_retention_are_yours" {
  command = apply

  variables {
    bucket_name                        = "acme-terraform-state"
    access_log_bucket                  = "acme-access-logs"
    noncurrent_version_expiration_days = 400
    region                             = "eu-west-1"
  }

  assert {
    condition     = aws_s3_bucket.this.bucket == "acme-terraform-state" && output.backend_config.region == "eu-west-1"
    error_message = "bucket_name and region are used as given."
  }

  assert {
    condition     = aws_s3_bucket_logging.this[0].target_bucket == "acme-access-logs" && aws_s3_bucket_logging.this[0].target_prefix == "tfstate/acme-terraform-state/"
    error_message = "Access logs go to the given bucket under tfstate/<bucket>/."
  }

  assert {
    condition     = one([for rule in aws_s3_bucket.this.lifecycle_rule : rule.noncurrent_version_expiration[0].days]) == 400
    error_message = "noncurrent_version_expiration_days sets the rule."
  }
}

run "an_emulator_without_tls_gets_no_tls_policy" {
  command = apply

  variables {
    require_tls = false
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 0
    error_message = "require_tls = false drops the policy (and only that)."
  }

  assert {
    condition     = aws_s3_bucket_ownership_controls.this.rule[0].object_ownership == "BucketOwnerEnforced" && aws_s3_bucket_public_access_block.this.block_public_policy
    error_message = "Everything else stays."
  }
}
