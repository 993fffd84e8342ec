# The module's defaults: three apps, one key each, six hardened buckets whose lifecycle
# rules never expire what an application still needs.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name_prefix = "obs-dev"
}

run "creates_one_bucket_per_store_and_never_a_bare_default_name" {
  command = apply

  assert {
    condition = toset([for bucket in aws_s3_bucket.this : bucket.bucket]) == toset([
      "obs-dev-mimir-blocks", "obs-dev-mimir-ruler", "obs-dev-mimir-alertmanager",
      "obs-dev-loki-chunks", "obs-dev-loki-ruler", "obs-dev-tempo-traces",
    ])
    error_message = "The default stores are Mimir blocks/ruler/alertmanager, Loki chunks/ruler and Tempo traces."
  }

  assert {
    condition     = length([for bucket in aws_s3_bucket.this : bucket if contains(["chunks", "ruler", "admin"], bucket.bucket)]) == 0
    error_message = "No bucket may be named bare chunks, ruler or admin (Loki's insecure defaults)."
  }

  assert {
    condition     = alltrue([for bucket in aws_s3_bucket.this : bucket.force_destroy == false])
    error_message = "force_destroy must default to false."
  }

  assert {
    condition     = output.buckets.loki.chunks.name == "obs-dev-loki-chunks" && output.buckets.mimir.alertmanager.arn == aws_s3_bucket.this["mimir-alertmanager"].arn
    error_message = "The buckets output must map app and store to name and ARN."
  }
}

run "creates_one_rotating_key_per_app_with_alias_and_separate_policy" {
  command = apply

  assert {
    condition     = keys(aws_kms_key.this) == ["loki", "mimir", "tempo"]
    error_message = "The per_app strategy creates one key per app."
  }

  assert {
    condition     = alltrue([for key in aws_kms_key.this : key.enable_key_rotation && key.rotation_period_in_days == 365 && key.deletion_window_in_days == 30])
    error_message = "Keys rotate yearly and keep the 30-day deletion window by default."
  }

  assert {
    condition     = toset([for alias in aws_kms_alias.this : alias.name]) == toset(["alias/obs-dev-mimir", "alias/obs-dev-loki", "alias/obs-dev-tempo"])
    error_message = "Every key gets an alias named after the prefix and the app."
  }

  assert {
    condition     = alltrue([for app, key in aws_kms_key_policy.this : key.key_id == aws_kms_key.this[app].key_id])
    error_message = "Each key policy belongs to its own key."
  }
}

run "key_policy_delegates_to_the_account_and_restricts_data_keys_to_s3" {
  command = apply

  assert {
    condition     = jsondecode(aws_kms_key_policy.this["loki"].policy).Statement[0].Principal.AWS == "arn:aws:iam::123456789012:root"
    error_message = "The first statement delegates to the account root so IAM policies grant key use."
  }

  assert {
    condition = alltrue([
      for statement in jsondecode(aws_kms_key_policy.this["loki"].policy).Statement :
      statement.Effect == "Deny" || try(statement.Principal.AWS != "*", true)
    ])
    error_message = "No Allow statement may name the principal *."
  }

  assert {
    condition     = one([for s in jsondecode(aws_kms_key_policy.this["mimir"].policy).Statement : s.Condition.StringNotEquals["kms:ViaService"] if s.Sid == "UseOnlyThroughStorageServices"]) == ["s3.eu-west-1.amazonaws.com"]
    error_message = "Data-key use is denied unless it comes through S3 in the key's region."
  }

  assert {
    condition     = length([for s in jsondecode(aws_kms_key_policy.this["mimir"].policy).Statement : s if s.Sid == "KeyAdministrators"]) == 0
    error_message = "Without administrators there is no administrator statement."
  }
}

run "every_bucket_is_encrypted_with_its_apps_key_and_bucket_key" {
  command = apply

  assert {
    condition = alltrue([
      for key, sse in aws_s3_bucket_server_side_encryption_configuration.this :
      one(sse.rule).bucket_key_enabled && one(one(sse.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"
    ])
    error_message = "Every bucket uses SSE-KMS with a Bucket Key."
  }

  assert {
    condition = alltrue([
      for key, sse in aws_s3_bucket_server_side_encryption_configuration.this :
      one(one(sse.rule).apply_server_side_encryption_by_default).kms_master_key_id == aws_kms_key.this[split("-", key)[0]].arn
    ])
    error_message = "Every bucket is encrypted with its own app's key ARN (never another app's, never an alias)."
  }

  assert {
    condition     = output.iam_storage.loki.kms_key_arns == [aws_kms_key.this["loki"].arn] && !contains(output.iam_storage.loki.bucket_arns, aws_s3_bucket.this["mimir-blocks"].arn)
    error_message = "iam_storage gives each app only its own buckets and key."
  }
}

run "every_bucket_is_versioned_private_owner_enforced_and_tls_only" {
  command = apply

  assert {
    condition     = alltrue([for v in aws_s3_bucket_versioning.this : one(v.versioning_configuration).status == "Enabled"])
    error_message = "Versioning is on for every bucket."
  }

  assert {
    condition     = alltrue([for p in aws_s3_bucket_public_access_block.this : p.block_public_acls && p.block_public_policy && p.ignore_public_acls && p.restrict_public_buckets])
    error_message = "All four public-access-block flags are on for every bucket."
  }

  assert {
    condition     = alltrue([for o in aws_s3_bucket_ownership_controls.this : one(o.rule).object_ownership == "BucketOwnerEnforced"])
    error_message = "Ownership is BucketOwnerEnforced (ACLs disabled)."
  }

  assert {
    condition = alltrue([
      for key, p in aws_s3_bucket_policy.this :
      toset([for s in jsondecode(p.policy).Statement : s.Sid if s.Effect == "Deny"]) == toset(["DenyInsecureTransport", "DenyOutdatedTLS"])
    ])
    error_message = "Every bucket policy denies insecure transport and TLS below 1.2."
  }

  assert {
    condition     = one([for s in jsondecode(aws_s3_bucket_policy.this["tempo-traces"].policy).Statement : s.Condition.NumericLessThan["s3:TlsVersion"] if s.Sid == "DenyOutdatedTLS"]) == "1.2"
    error_message = "The TLS statement denies versions below 1.2."
  }

  assert {
    condition     = !strcontains(aws_s3_bucket_policy.this["tempo-traces"].policy, "x-amz-server-side-encryption")
    error_message = "No encryption-header condition: it denies Tempo's compactor CopyObject."
  }

  assert {
    condition     = length(aws_s3_bucket_logging.this) == 0 && length(aws_s3_bucket.access_logs) == 0 && length(aws_s3_bucket_accelerate_configuration.this) == 0
    error_message = "Access logging and transfer acceleration are off by default."
  }
}

run "lifecycle_rules_abort_uploads_everywhere_and_expire_only_tempo" {
  command = apply

  assert {
    condition = alltrue([
      for bucket in aws_s3_bucket.this : length([
        for rule in bucket.lifecycle_rule : rule if rule.abort_incomplete_multipart_upload_days == 1 && rule.prefix == "" && rule.enabled
      ]) == 1
    ])
    error_message = "Every bucket aborts incomplete multipart uploads after one day."
  }

  assert {
    condition = alltrue([
      for bucket in aws_s3_bucket.this : length([
        for rule in bucket.lifecycle_rule : rule if try(one(rule.noncurrent_version_expiration).days, 0) == 30
      ]) == 1
    ])
    error_message = "Versioning is paired with a noncurrent-version expiry on every bucket."
  }

  assert {
    condition = alltrue([
      for key, bucket in aws_s3_bucket.this : length([
        for rule in bucket.lifecycle_rule : rule if try(one(rule.expiration).days, null) != null
      ]) == 0 if key != "tempo-traces"
    ])
    error_message = "No bucket but Tempo's expires current objects by default (Mimir and Loki compactors own retention)."
  }

  assert {
    condition     = [for rule in aws_s3_bucket.this["tempo-traces"].lifecycle_rule : one(rule.expiration).days if try(one(rule.expiration).days, null) != null] == [15]
    error_message = "Tempo's traces expire one day after its 14-day retention."
  }

  assert {
    condition = alltrue(flatten([
      for app, stores in output.buckets : [
        for store, bucket in stores : length(bucket.lifecycle_rules) == length(aws_s3_bucket.this["${app}-${store}"].lifecycle_rule)
      ]
    ]))
    error_message = "The contract lists the lifecycle rules each bucket carries."
  }
}

run "the_contract_says_which_store_holds_data_and_what_an_expiry_may_reach" {
  command = plan

  assert {
    condition = toset(flatten([
      for app, stores in output.buckets : [for store, bucket in stores : "${app}/${store}" if bucket.holds_data]
    ])) == toset(["mimir/blocks", "loki/chunks", "tempo/traces"])
    error_message = "One data store per app: Mimir blocks, Loki chunks, Tempo traces."
  }

  assert {
    condition = alltrue(flatten([
      for app, stores in output.buckets : [for store, bucket in stores : bucket.expiry_guard == null if !bucket.holds_data]
    ]))
    error_message = "No expiry may reach a ruler, alertmanager or admin store."
  }

  assert {
    condition     = length(output.buckets.mimir.blocks.expiry_guard.prefixes) == 0 && toset(output.buckets.mimir.blocks.expiry_guard.protected_prefixes) == toset(["__mimir_cluster/"])
    error_message = "Without a safety net no expiry may reach Mimir blocks: the compactor owns retention."
  }

  assert {
    condition     = output.buckets.loki.chunks.expiry_guard.prefixes == null && contains(output.buckets.loki.chunks.expiry_guard.protected_prefixes, "index/") && output.buckets.loki.chunks.expiry_guard.min_days == 32
    error_message = "Loki's chunks may expire on any prefix that spares index/, the seed and delete requests, after 31 days of retention."
  }

  assert {
    condition     = output.buckets.tempo.traces.expiry_guard.min_days == 15 && length(output.buckets.tempo.traces.expiry_guard.protected_prefixes) == 0
    error_message = "Tempo's traces may expire from retention + 1 day."
  }

  assert {
    condition     = output.tag_keys == { module = "lgtm:module", app = "lgtm:app", store = "lgtm:store", kms_key = "lgtm:kms-key" }
    error_message = "The reserved tag keys are published."
  }
}
