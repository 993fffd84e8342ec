# Every toggle of the module: app selection, key strategies, administrators, access logging,
# transfer acceleration, expiry safety nets and storage-class transitions.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name_prefix = "obs-prod"
}

run "apps_subset_creates_only_that_apps_buckets_and_key" {
  command = apply

  variables {
    apps = ["tempo"]
  }

  assert {
    condition     = keys(aws_s3_bucket.this) == ["tempo-traces"] && keys(aws_kms_key.this) == ["tempo"]
    error_message = "Only Tempo's bucket and key exist when apps = [tempo]."
  }

  assert {
    condition     = keys(output.buckets) == ["tempo"] && keys(output.iam_storage) == ["tempo"]
    error_message = "Outputs list only the enabled apps."
  }
}

run "loki_admin_bucket_is_behind_a_flag" {
  command = apply

  variables {
    loki_admin_bucket = true
  }

  assert {
    condition     = aws_s3_bucket.this["loki-admin"].bucket == "obs-prod-loki-admin" && output.buckets.loki.admin.name == "obs-prod-loki-admin"
    error_message = "The enterprise admin bucket is created (prefixed, never bare 'admin') when asked."
  }

  assert {
    condition     = length([for rule in aws_s3_bucket.this["loki-admin"].lifecycle_rule : rule if length(rule.expiration) > 0 && try(one(rule.expiration).days, null) != null]) == 0
    error_message = "The admin bucket never expires current objects."
  }
}

run "shared_strategy_creates_one_key_for_all_apps" {
  command = apply

  variables {
    kms = { strategy = "shared" }
  }

  assert {
    condition     = keys(aws_kms_key.this) == ["telemetry"] && aws_kms_alias.this["telemetry"].name == "alias/obs-prod-telemetry"
    error_message = "The shared strategy creates one key with the telemetry alias."
  }

  assert {
    condition = alltrue([
      for sse in aws_s3_bucket_server_side_encryption_configuration.this :
      one(one(sse.rule).apply_server_side_encryption_by_default).kms_master_key_id == aws_kms_key.this["telemetry"].arn
    ])
    error_message = "Every bucket uses the shared key."
  }

  assert {
    condition     = length(distinct([for app, key in output.kms_keys : key.arn])) == 1 && output.kms_keys.mimir.alias == "alias/obs-prod-telemetry"
    error_message = "kms_keys names the same key and alias for every app."
  }
}

run "existing_strategy_uses_the_given_key_arns_and_creates_no_key" {
  command = apply

  variables {
    kms = {
      strategy = "existing"
      existing_key_arns = {
        mimir = "arn:aws:kms:eu-west-1:123456789012:key/11111111-1111-1111-1111-111111111111"
        loki  = "arn:aws:kms:eu-west-1:123456789012:key/22222222-2222-2222-2222-222222222222"
        tempo = "arn:aws:kms:eu-west-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"
      }
    }
  }

  assert {
    condition     = length(aws_kms_key.this) == 0 && length(aws_kms_alias.this) == 0 && length(aws_kms_key_policy.this) == 0
    error_message = "Bringing keys creates no key, alias or key policy."
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this["loki-chunks"].rule).apply_server_side_encryption_by_default).kms_master_key_id == "arn:aws:kms:eu-west-1:123456789012:key/22222222-2222-2222-2222-222222222222"
    error_message = "Loki's buckets use Loki's existing key."
  }

  assert {
    condition     = output.kms_keys.tempo.managed == false && output.kms_keys.tempo.alias == null
    error_message = "Existing keys are reported as not managed, without alias."
  }
}

run "administrators_deletion_window_rotation_and_via_services_shape_the_keys" {
  command = apply

  variables {
    kms = {
      deletion_window_in_days = 7
      rotation_period_in_days = 90
      administrator_arns      = ["arn:aws:iam::123456789012:role/platform-admin"]
      via_services            = ["s3", "dynamodb"]
    }
  }

  assert {
    condition     = alltrue([for key in aws_kms_key.this : key.deletion_window_in_days == 7 && key.rotation_period_in_days == 90])
    error_message = "Deletion window and rotation period follow the input."
  }

  assert {
    condition     = one([for s in jsondecode(aws_kms_key_policy.this["loki"].policy).Statement : s.Principal.AWS if s.Sid == "KeyAdministrators"]) == ["arn:aws:iam::123456789012:role/platform-admin"]
    error_message = "Key administrators get their own statement."
  }

  assert {
    condition     = !contains(one([for s in jsondecode(aws_kms_key_policy.this["loki"].policy).Statement : s.Action if s.Sid == "KeyAdministrators"]), "kms:Decrypt")
    error_message = "Administrators manage the key but get no data-plane action."
  }

  assert {
    condition     = one([for s in jsondecode(aws_kms_key_policy.this["loki"].policy).Statement : s.Condition.StringNotEquals["kms:ViaService"] if s.Sid == "UseOnlyThroughStorageServices"]) == ["dynamodb.eu-west-1.amazonaws.com", "s3.eu-west-1.amazonaws.com"]
    error_message = "DynamoDB joins S3 as an allowed calling service when asked."
  }
}

run "access_logging_creates_an_sse_s3_log_bucket_that_admits_only_our_buckets" {
  command = apply

  variables {
    access_logging = { enabled = true, retention_days = 90 }
  }

  assert {
    condition     = aws_s3_bucket.access_logs[0].bucket == "obs-prod-access-logs" && output.access_log_bucket == "obs-prod-access-logs"
    error_message = "The module creates the access-log bucket."
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.access_logs[0].rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    error_message = "The log bucket uses SSE-S3, the only encryption S3 log delivery supports."
  }

  assert {
    condition     = alltrue([for key, logging in aws_s3_bucket_logging.this : logging.target_bucket == "obs-prod-access-logs" && logging.target_prefix == "s3-access-logs/${aws_s3_bucket.this[key].bucket}/"])
    error_message = "Every telemetry bucket logs into the log bucket under its own prefix."
  }

  assert {
    condition = one([
      for s in jsondecode(aws_s3_bucket_policy.access_logs[0].policy).Statement : s.Condition.StringEquals["aws:SourceAccount"]
      if s.Sid == "AllowAccessLogDeliveryFromTelemetryBuckets"
    ]) == "123456789012"
    error_message = "Log delivery is admitted only for this account's buckets."
  }

  assert {
    condition = toset(one([
      for s in jsondecode(aws_s3_bucket_policy.access_logs[0].policy).Statement : s.Condition.ArnLike["aws:SourceArn"]
      if s.Sid == "AllowAccessLogDeliveryFromTelemetryBuckets"
    ])) == toset([for bucket in aws_s3_bucket.this : bucket.arn])
    error_message = "Log delivery is admitted only from the telemetry buckets."
  }

  assert {
    condition     = [for rule in aws_s3_bucket.access_logs[0].lifecycle_rule : one(rule.expiration).days if length(rule.expiration) > 0] == [90]
    error_message = "Access logs expire after their retention."
  }
}

run "access_logging_into_an_existing_bucket_creates_no_log_bucket" {
  command = apply

  variables {
    access_logging = { enabled = true, target_bucket = "central-s3-logs", target_prefix = "" }
  }

  assert {
    condition     = length(aws_s3_bucket.access_logs) == 0 && alltrue([for l in aws_s3_bucket_logging.this : l.target_bucket == "central-s3-logs"])
    error_message = "An existing target bucket is used as is."
  }
}

run "transfer_acceleration_and_force_destroy_follow_their_switches" {
  command = apply

  variables {
    transfer_acceleration = true
    force_destroy         = true
  }

  assert {
    condition     = length(aws_s3_bucket_accelerate_configuration.this) == 6 && alltrue([for a in aws_s3_bucket_accelerate_configuration.this : a.status == "Enabled"])
    error_message = "Transfer acceleration is enabled on every telemetry bucket."
  }

  assert {
    condition     = alltrue([for bucket in aws_s3_bucket.this : bucket.force_destroy])
    error_message = "force_destroy reaches every bucket."
  }
}

run "safety_net_expiry_rules_cover_only_the_named_tenants" {
  command = apply

  variables {
    retention_days                     = { mimir = 30, loki = 14 }
    mimir_blocks_expiry                = { days = 32, tenant_prefixes = ["anonymous/", "team-a/"] }
    loki_chunks_expiry                 = { days = 15, tenant_prefixes = ["fake/"] }
    noncurrent_version_expiration_days = 7
  }

  assert {
    condition     = toset([for rule in aws_s3_bucket.this["mimir-blocks"].lifecycle_rule : "${rule.prefix}=${one(rule.expiration).days}" if try(one(rule.expiration).days, null) != null]) == toset(["anonymous/=32", "team-a/=32"])
    error_message = "Mimir's safety net expires only the listed tenant prefixes, never __mimir_cluster/."
  }

  assert {
    condition     = [for rule in aws_s3_bucket.this["loki-chunks"].lifecycle_rule : rule.prefix if try(one(rule.expiration).days, null) != null] == ["fake/"]
    error_message = "Loki's expiry covers only the tenant chunk prefix, never index/ or the whole bucket."
  }

  assert {
    condition     = length([for rule in aws_s3_bucket.this["mimir-ruler"].lifecycle_rule : rule if try(one(rule.expiration).days, null) != null]) == 0
    error_message = "Ruler and alertmanager stores never expire objects."
  }

  assert {
    condition     = alltrue([for bucket in aws_s3_bucket.this : contains([for rule in bucket.lifecycle_rule : try(one(rule.noncurrent_version_expiration).days, 0)], 7)])
    error_message = "The noncurrent-version expiry follows its input."
  }

  assert {
    condition     = toset(output.buckets.mimir.blocks.expiry_guard.prefixes) == toset(["anonymous/", "team-a/"]) && output.buckets.mimir.blocks.expiry_guard.min_days == 31
    error_message = "With a safety net, the guard admits only its tenant prefixes, from the first day past retention plus the 12-h deletion delay."
  }

  assert {
    condition     = output.buckets.loki.chunks.expiry_guard.min_days == 15 && [for rule in output.buckets.loki.chunks.lifecycle_rules : rule.prefix if rule.expiration_days != null] == ["fake/"]
    error_message = "The contract carries Loki's expiry floor (retention + 2-h delete delay, next whole day) and the rules as written."
  }
}

run "transitions_apply_to_the_data_bucket_only_in_waterfall_order" {
  command = apply

  variables {
    storage_transitions = {
      mimir = [{ days = 90, storage_class = "GLACIER_IR" }, { days = 30, storage_class = "STANDARD_IA" }]
      tempo = [{ days = 0, storage_class = "INTELLIGENT_TIERING" }]
    }
  }

  assert {
    condition     = toset(flatten([for rule in aws_s3_bucket.this["mimir-blocks"].lifecycle_rule : [for t in rule.transition : "${t.days}:${t.storage_class}"]])) == toset(["30:STANDARD_IA", "90:GLACIER_IR"])
    error_message = "Mimir's blocks bucket gets both transitions."
  }

  assert {
    condition     = length(flatten([for rule in aws_s3_bucket.this["mimir-ruler"].lifecycle_rule : rule.transition])) == 0
    error_message = "Small config stores (ruler) never transition."
  }

  assert {
    condition     = length(flatten([for rule in aws_s3_bucket.this["tempo-traces"].lifecycle_rule : rule.transition])) == 1
    error_message = "Tempo's traces bucket gets its transition."
  }
}

run "tags_reach_buckets_and_keys" {
  command = apply

  variables {
    tags = { team = "observability" }
  }

  assert {
    condition     = aws_s3_bucket.this["loki-chunks"].tags["team"] == "observability" && aws_s3_bucket.this["loki-chunks"].tags["lgtm:store"] == "chunks"
    error_message = "Buckets carry the caller's tags and their app/store tags."
  }

  assert {
    condition     = aws_kms_key.this["mimir"].tags["team"] == "observability"
    error_message = "Keys carry the caller's tags."
  }
}

run "an_administrator_of_another_account_is_refused" {
  command = plan

  variables {
    kms = { administrator_arns = ["arn:aws:iam::210987654321:role/their-admin"] }
  }

  expect_failures = [aws_kms_key_policy.this]
}

run "an_administrator_of_another_account_is_accepted_when_its_account_is_listed" {
  command = plan

  variables {
    kms = {
      administrator_arns              = ["arn:aws:iam::210987654321:role/their-admin"]
      external_administrator_accounts = ["210987654321"]
    }
  }

  assert {
    condition     = contains(jsondecode(aws_kms_key_policy.this["mimir"].policy).Statement[1].Principal.AWS, "arn:aws:iam::210987654321:role/their-admin")
    error_message = "An administrator of a listed external account gets the administrator statement."
  }
}

run "rejects_an_external_administrator_account_that_is_not_an_account_id" {
  command = plan

  variables {
    kms = { external_administrator_accounts = ["their-account"] }
  }

  expect_failures = [var.kms]
}

run "the_log_bucket_accepts_logs_of_the_named_source_buckets" {
  command = apply

  variables {
    access_logging = { enabled = true, source_bucket_names = ["obs-prod-audit"] }
  }

  assert {
    condition     = contains(jsondecode(aws_s3_bucket_policy.access_logs[0].policy).Statement[2].Condition.ArnLike["aws:SourceArn"], "arn:aws:s3:::obs-prod-audit")
    error_message = "Log delivery from the audit bucket is admitted by the log bucket's policy."
  }
}
