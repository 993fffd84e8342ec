# Replication of three apps' buckets from us-east-1 to us-west-2: replica buckets and keys in
# the second region, the least-privilege role, and one rule per source bucket.

mock_provider "aws" {
  override_during = plan
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:user/test" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/obs-replication" }
  }
}

mock_provider "aws" {
  alias           = "replica"
  override_during = plan
  mock_data "aws_region" {
    defaults = { name = "us-west-2" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:us-west-2:123456789012:key/11111111-1111-1111-1111-111111111111", key_id = "11111111-1111-1111-1111-111111111111" }
  }
}

override_resource {
  target          = aws_kms_key.replica["mimir"]
  override_during = plan
  values          = { arn = "arn:aws:kms:us-west-2:123456789012:key/22222222-2222-2222-2222-222222222222", key_id = "22222222-2222-2222-2222-222222222222" }
}

variables {
  name_prefix = "obs"
  sources = {
    mimir-blocks = {
      app         = "mimir", store = "blocks", name = "obs-mimir-blocks", arn = "arn:aws:s3:::obs-mimir-blocks"
      kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
      lifecycle_rules = [
        { id = "abort-incomplete-multipart-uploads", prefix = "", abort_after_days = 1, expiration_days = null, expire_delete_markers = null, noncurrent_expire_days = null, transitions = [] },
        { id = "expire-noncurrent-versions", prefix = "", abort_after_days = null, expiration_days = null, expire_delete_markers = true, noncurrent_expire_days = 30, transitions = [] },
        { id = "transition-storage-class", prefix = "", abort_after_days = null, expiration_days = null, expire_delete_markers = null, noncurrent_expire_days = null, transitions = [{ days = 30, storage_class = "STANDARD_IA" }] },
      ]
    }
    mimir-ruler = {
      app         = "mimir", store = "ruler", name = "obs-mimir-ruler", arn = "arn:aws:s3:::obs-mimir-ruler"
      kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
      lifecycle_rules = [
        { id = "abort-incomplete-multipart-uploads", prefix = "", abort_after_days = 1, expiration_days = null, expire_delete_markers = null, noncurrent_expire_days = null, transitions = [] },
      ]
    }
    tempo-traces = {
      app         = "tempo", store = "traces", name = "obs-tempo-traces", arn = "arn:aws:s3:::obs-tempo-traces"
      kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"
      lifecycle_rules = [
        { id = "expire-after-retention", prefix = "", abort_after_days = null, expiration_days = 15, expire_delete_markers = null, noncurrent_expire_days = null, transitions = [] },
      ]
    }
  }
}

run "replica_buckets_mirror_their_sources_in_the_second_region" {
  command = plan

  assert {
    condition     = toset([for key, b in aws_s3_bucket.replica : b.bucket]) == toset(["obs-mimir-blocks-replica", "obs-mimir-ruler-replica", "obs-tempo-traces-replica"])
    error_message = "Every source bucket must get a replica named \"<source>-replica\"."
  }

  assert {
    condition     = [for rule in aws_s3_bucket.replica["tempo-traces"].lifecycle_rule : [rule.id, rule.prefix, rule.expiration[0].days]] == [["expire-after-retention", "", 15]]
    error_message = "A replica must keep its source's expiry rules, so retention is the same in both regions."
  }

  assert {
    condition     = [for rule in aws_s3_bucket.replica["mimir-blocks"].lifecycle_rule : rule.id] == ["abort-incomplete-multipart-uploads", "expire-noncurrent-versions", "transition-storage-class"] && aws_s3_bucket.replica["mimir-blocks"].lifecycle_rule[1].noncurrent_version_expiration[0].days == 30
    error_message = "A replica must keep its source's noncurrent expiry and transitions."
  }

  assert {
    condition = alltrue([
      for key, sse in aws_s3_bucket_server_side_encryption_configuration.replica : one(sse.rule).bucket_key_enabled && one(one(sse.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"
    ])
    error_message = "Replicas must be SSE-KMS with a Bucket Key, as their sources are."
  }

  assert {
    condition     = alltrue([for key, v in aws_s3_bucket_versioning.replica : one(v.versioning_configuration).status == "Enabled"])
    error_message = "Replicas must be versioned (S3 replicates only into versioned buckets)."
  }

  assert {
    condition     = toset(keys(aws_kms_key.replica)) == toset(["mimir", "tempo"]) && alltrue([for k in aws_kms_key.replica : k.enable_key_rotation])
    error_message = "Each app must get a rotating replica key."
  }

  assert {
    condition     = jsondecode(aws_kms_key_policy.replica["mimir"].policy).Statement[1].Condition.StringNotEquals["kms:ViaService"] == ["s3.us-west-2.amazonaws.com"]
    error_message = "A replica key must be usable only through S3 in the replica region."
  }

  assert {
    condition     = output.replication.region == "us-west-2" && output.replication.buckets.mimir.blocks.source == "obs-mimir-blocks" && output.replication.delete_marker_replication
    error_message = "The output must describe the replication for the stack contract."
  }
}

run "each_source_bucket_replicates_everything_with_delete_markers_under_the_replica_key" {
  command = plan

  assert {
    condition = alltrue([
      for key, c in aws_s3_bucket_replication_configuration.this : length(c.rule) == 1 &&
      one(c.rule).status == "Enabled" &&
      one(one(c.rule).filter).prefix == "" &&
      one(one(c.rule).delete_marker_replication).status == "Enabled" &&
      one(one(one(c.rule).source_selection_criteria).sse_kms_encrypted_objects).status == "Enabled" &&
      one(one(c.rule).destination).storage_class == "STANDARD"
    ])
    error_message = "Each configuration must replicate the whole bucket, SSE-KMS objects and delete markers included."
  }

  assert {
    condition     = one(one(one(aws_s3_bucket_replication_configuration.this["mimir-ruler"].rule).destination).encryption_configuration).replica_kms_key_id == "arn:aws:kms:us-west-2:123456789012:key/22222222-2222-2222-2222-222222222222"
    error_message = "Replicas must be encrypted with their app's key in the replica region."
  }

  assert {
    condition     = aws_s3_bucket_replication_configuration.this["tempo-traces"].bucket == "obs-tempo-traces"
    error_message = "The configuration must be set on the source bucket."
  }
}

run "the_replication_role_reads_sources_and_writes_replicas_and_nothing_else" {
  command = plan

  assert {
    condition = jsondecode(aws_iam_role.replication.assume_role_policy).Statement[0].Principal == { Service = "s3.amazonaws.com" } && jsondecode(aws_iam_role.replication.assume_role_policy).Statement[0].Condition == {
      StringEquals = { "aws:SourceAccount" = "123456789012" }
      ArnLike      = { "aws:SourceArn" = ["arn:aws:s3:::obs-mimir-blocks", "arn:aws:s3:::obs-mimir-ruler", "arn:aws:s3:::obs-tempo-traces"] }
    }
    error_message = "Only S3, for this account's source buckets, may assume the replication role."
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.replication.policy).Statement : s.Sid] == [
      "ReadSourceReplicationConfiguration", "ReadSourceVersions", "WriteReplicas",
      "DecryptSourcesMimir", "EncryptReplicasMimir", "DecryptSourcesTempo", "EncryptReplicasTempo",
    ]
    error_message = "The policy must hold exactly the replication statements, one KMS pair per app."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.replication.policy).Statement[1].Action == ["s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging"]
    error_message = "Sources must be read with GetObjectVersionForReplication (the only read that returns SSE-KMS objects to S3), never GetObject."
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.replication.policy).Statement[3].Condition == {
      StringEquals = {
        "kms:ViaService"                   = "s3.us-east-1.amazonaws.com"
        "kms:EncryptionContext:aws:s3:arn" = ["arn:aws:s3:::obs-mimir-blocks", "arn:aws:s3:::obs-mimir-ruler"]
      }
    } && jsondecode(aws_iam_role_policy.replication.policy).Statement[3].Resource == ["arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"]
    error_message = "Mimir's source key may be used only through S3 in the source region, for Mimir's buckets (the bucket ARN is the context with a Bucket Key)."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.replication.policy).Statement[4].Condition.StringEquals["kms:ViaService"] == "s3.us-west-2.amazonaws.com"
    error_message = "The replica key may be used only through S3 in the replica region."
  }

  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.replication.policy).Statement : !contains(flatten([s.Resource]), "*")])
    error_message = "No statement may grant on \"*\"."
  }
}

run "a_shared_key_gives_one_replica_key" {
  command = plan

  variables { shared_key = true }

  assert {
    condition     = keys(aws_kms_key.replica) == ["telemetry"] && aws_kms_alias.replica["telemetry"].name == "alias/obs-telemetry-replica"
    error_message = "The shared strategy must give one replica key."
  }
}
