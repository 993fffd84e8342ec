# The defaults: a versioned bucket encrypted with its own rotating key, never public, TLS only,
# owner-enforced, whose old state versions expire, and the backend settings that use it.

mock_provider "aws" {
  source = "./tests/mocks"
}

run "names_the_bucket_after_the_account_and_keeps_it_on_destroy" {
  command = apply

  assert {
    condition     = aws_s3_bucket.this.bucket == "lgtm-tfstate-123456789012" && output.bucket == "lgtm-tfstate-123456789012"
    error_message = "The default name is lgtm-tfstate-<account id>."
  }

  assert {
    condition     = aws_s3_bucket.this.force_destroy == false
    error_message = "A state bucket must refuse to be destroyed while it holds state."
  }
}

run "versions_every_state_write" {
  command = apply

  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "Versioning keeps every previous state version."
  }
}

run "encrypts_with_its_own_rotating_key_and_bucket_key" {
  command = apply

  assert {
    condition     = length(aws_kms_key.this) == 1 && aws_kms_key.this[0].enable_key_rotation && aws_kms_key.this[0].deletion_window_in_days == 30
    error_message = "SSE-KMS by default, with a key that rotates and keeps the 30-day deletion window."
  }

  assert {
    condition = one([
      for rule in aws_s3_bucket_server_side_encryption_configuration.this.rule :
      rule.apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms" &&
      rule.apply_server_side_encryption_by_default[0].kms_master_key_id == aws_kms_key.this[0].arn &&
      rule.bucket_key_enabled
    ])
    error_message = "Default encryption must use the root's key (by ARN) with the bucket key on."
  }

  assert {
    condition     = aws_kms_alias.this[0].name == "alias/lgtm-tfstate-123456789012"
    error_message = "The key is named after the bucket."
  }

  assert {
    condition     = jsondecode(aws_kms_key_policy.this[0].policy).Statement[0].Principal.AWS == "arn:aws:iam::123456789012:root"
    error_message = "The key policy delegates to IAM through the account root, built from the partition and account."
  }
}

run "blocks_public_access_and_enforces_ownership" {
  command = apply

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this.block_public_acls,
      aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls,
      aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ])
    error_message = "All four public access blocks must be on."
  }

  assert {
    condition     = aws_s3_bucket_ownership_controls.this.rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs are off: the bucket owner owns every object."
  }
}

run "denies_plain_http_and_tls_below_1_2" {
  command = apply

  assert {
    condition = length(aws_s3_bucket_policy.this) == 1 && toset([
      for statement in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : statement.Sid
      if statement.Effect == "Deny" && statement.Action == "s3:*"
    ]) == toset(["DenyInsecureTransport", "DenyOutdatedTLS"])
    error_message = "The bucket policy must deny insecure transport and TLS below 1.2."
  }

  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[0].Condition.Bool["aws:SecureTransport"] == "false"
    error_message = "DenyInsecureTransport must match aws:SecureTransport = false."
  }

  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[1].Condition.NumericLessThan["s3:TlsVersion"] == "1.2"
    error_message = "DenyOutdatedTLS must match s3:TlsVersion < 1.2."
  }
}

run "expires_noncurrent_versions_and_aborts_stale_uploads" {
  command = apply

  assert {
    condition = one([
      for rule in aws_s3_bucket.this.lifecycle_rule :
      rule.enabled && rule.noncurrent_version_expiration[0].days == 90 &&
      rule.abort_incomplete_multipart_upload_days == 1 &&
      rule.expiration[0].expired_object_delete_marker &&
      length([for expiration in rule.expiration : expiration if coalesce(expiration.days, 0) > 0]) == 0
    ])
    error_message = "One rule: noncurrent versions expire after 90 days, no current state ever expires."
  }
}

run "outputs_backend_settings_with_lockfile_and_the_key" {
  command = apply

  assert {
    condition = output.backend_config == {
      bucket       = "lgtm-tfstate-123456789012"
      region       = "us-east-1"
      encrypt      = true
      use_lockfile = true
      kms_key_id   = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    }
    error_message = "backend_config must carry S3-native locking and the key (else the backend writes SSE-S3)."
  }

  assert {
    condition     = strcontains(output.backend_hcl, "use_lockfile = true") && strcontains(output.backend_hcl, "kms_key_id   = \"arn:aws:kms:")
    error_message = "backend_hcl is the same settings as a file."
  }

  assert {
    condition     = length(aws_s3_bucket_logging.this) == 0
    error_message = "Access logging is opt-in."
  }
}
