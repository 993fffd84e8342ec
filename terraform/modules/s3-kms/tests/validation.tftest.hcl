# Every validated input rejects its bad values at plan time, before anything is created.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name_prefix = "obs-dev"
}

run "rejects_name_prefix_with_uppercase" {
  command = plan

  variables {
    name_prefix = "Obs-Dev"
  }

  expect_failures = [var.name_prefix]
}

run "rejects_name_prefix_with_dots" {
  command = plan

  variables {
    name_prefix = "obs.dev"
  }

  expect_failures = [var.name_prefix]
}

run "rejects_name_prefix_ending_in_hyphen" {
  command = plan

  variables {
    name_prefix = "obs-"
  }

  expect_failures = [var.name_prefix]
}

run "rejects_name_prefix_reserved_xn" {
  command = plan

  variables {
    name_prefix = "xn--obs"
  }

  expect_failures = [var.name_prefix]
}

run "rejects_name_prefix_too_long_for_longest_bucket" {
  command = plan

  variables {
    name_prefix = "a-very-long-platform-team-name-prefix-for-obs"
  }

  expect_failures = [var.name_prefix]
}

run "rejects_unknown_app" {
  command = plan

  variables {
    apps = ["mimir", "prometheus"]
  }

  expect_failures = [var.apps]
}

run "rejects_retention_zero" {
  command = plan

  variables {
    retention_days = { loki = 0 }
  }

  expect_failures = [var.retention_days]
}

run "rejects_retention_negative" {
  command = plan

  variables {
    retention_days = { tempo = -1 }
  }

  expect_failures = [var.retention_days]
}

run "rejects_retention_fractional" {
  command = plan

  variables {
    retention_days = { mimir = 1.5 }
  }

  expect_failures = [var.retention_days]
}

run "rejects_mimir_expiry_not_longer_than_retention_plus_delay" {
  command = plan

  variables {
    retention_days      = { mimir = 30 }
    mimir_blocks_expiry = { days = 30, tenant_prefixes = ["anonymous/"] }
  }

  expect_failures = [var.mimir_blocks_expiry]
}

run "rejects_mimir_expiry_on_whole_bucket" {
  command = plan

  variables {
    mimir_blocks_expiry = { days = 900, tenant_prefixes = [""] }
  }

  expect_failures = [var.mimir_blocks_expiry]
}

run "rejects_mimir_expiry_on_cluster_seed" {
  command = plan

  variables {
    mimir_blocks_expiry = { days = 900, tenant_prefixes = ["__mimir_cluster/"] }
  }

  expect_failures = [var.mimir_blocks_expiry]
}

run "rejects_mimir_expiry_without_tenants" {
  command = plan

  variables {
    mimir_blocks_expiry = { days = 900, tenant_prefixes = [] }
  }

  expect_failures = [var.mimir_blocks_expiry]
}

run "rejects_mimir_deletion_delay_negative" {
  command = plan

  variables {
    mimir_compactor_deletion_delay_hours = -1
  }

  expect_failures = [var.mimir_compactor_deletion_delay_hours]
}

run "rejects_loki_expiry_shorter_than_retention" {
  command = plan

  variables {
    retention_days     = { loki = 30 }
    loki_chunks_expiry = { days = 20, tenant_prefixes = ["fake/"] }
  }

  expect_failures = [var.loki_chunks_expiry]
}

run "rejects_loki_expiry_equal_to_retention_ignores_delete_delay" {
  command = plan

  variables {
    retention_days     = { loki = 30 }
    loki_chunks_expiry = { days = 30, tenant_prefixes = ["fake/"] }
  }

  expect_failures = [var.loki_chunks_expiry]
}

run "rejects_loki_expiry_on_index" {
  command = plan

  variables {
    loki_chunks_expiry = { days = 60, tenant_prefixes = ["index/"] }
  }

  expect_failures = [var.loki_chunks_expiry]
}

run "rejects_loki_expiry_on_empty_prefix" {
  command = plan

  variables {
    loki_chunks_expiry = { days = 60, tenant_prefixes = [""] }
  }

  expect_failures = [var.loki_chunks_expiry]
}

run "rejects_loki_expiry_prefix_without_slash" {
  command = plan

  variables {
    loki_chunks_expiry = { days = 60, tenant_prefixes = ["fake"] }
  }

  expect_failures = [var.loki_chunks_expiry]
}

run "rejects_loki_delete_delay_negative" {
  command = plan

  variables {
    loki_retention_delete_delay_hours = -2
  }

  expect_failures = [var.loki_retention_delete_delay_hours]
}

run "rejects_transition_unknown_class" {
  command = plan

  variables {
    storage_transitions = { mimir = [{ days = 30, storage_class = "COLD" }] }
  }

  expect_failures = [var.storage_transitions]
}

run "rejects_transition_negative_days" {
  command = plan

  variables {
    storage_transitions = { mimir = [{ days = -1, storage_class = "GLACIER_IR" }] }
  }

  expect_failures = [var.storage_transitions]
}

run "rejects_transition_to_ia_before_30_days" {
  command = plan

  variables {
    storage_transitions = { loki = [{ days = 7, storage_class = "STANDARD_IA" }] }
  }

  expect_failures = [var.storage_transitions]
}

run "rejects_transition_against_the_waterfall" {
  command = plan

  variables {
    storage_transitions = { mimir = [{ days = 30, storage_class = "GLACIER_IR" }, { days = 90, storage_class = "STANDARD_IA" }] }
  }

  expect_failures = [var.storage_transitions]
}

run "rejects_transition_out_of_ia_too_soon" {
  command = plan

  variables {
    storage_transitions = { mimir = [{ days = 30, storage_class = "STANDARD_IA" }, { days = 45, storage_class = "GLACIER_IR" }] }
  }

  expect_failures = [var.storage_transitions]
}

run "rejects_transition_same_day_twice" {
  command = plan

  variables {
    storage_transitions = { mimir = [{ days = 100, storage_class = "STANDARD_IA" }, { days = 100, storage_class = "GLACIER_IR" }] }
  }

  expect_failures = [var.storage_transitions]
}

run "rejects_tempo_transition_after_expiry" {
  command = plan

  variables {
    storage_transitions = { tempo = [{ days = 30, storage_class = "STANDARD_IA" }] }
  }

  expect_failures = [var.storage_transitions]
}

run "rejects_loki_transition_after_expiry" {
  command = plan

  variables {
    loki_chunks_expiry  = { days = 40, tenant_prefixes = ["fake/"] }
    storage_transitions = { loki = [{ days = 60, storage_class = "GLACIER_IR" }] }
  }

  expect_failures = [var.storage_transitions]
}

run "rejects_noncurrent_expiry_zero" {
  command = plan

  variables {
    noncurrent_version_expiration_days = 0
  }

  expect_failures = [var.noncurrent_version_expiration_days]
}

run "rejects_kms_unknown_strategy" {
  command = plan

  variables {
    kms = { strategy = "per_bucket" }
  }

  expect_failures = [var.kms]
}

run "rejects_kms_existing_without_keys" {
  command = plan

  variables {
    kms = { strategy = "existing" }
  }

  expect_failures = [var.kms]
}

run "rejects_kms_existing_with_alias_arn" {
  command = plan

  variables {
    apps = ["tempo"]
    kms  = { strategy = "existing", existing_key_arns = { tempo = "arn:aws:kms:eu-west-1:123456789012:alias/tempo" } }
  }

  expect_failures = [var.kms]
}

run "rejects_kms_existing_malformed_arn" {
  command = plan

  variables {
    apps = ["tempo"]
    kms  = { strategy = "existing", existing_key_arns = { tempo = "tempo-key" } }
  }

  expect_failures = [var.kms]
}

run "rejects_kms_deletion_window_too_short" {
  command = plan

  variables {
    kms = { deletion_window_in_days = 6 }
  }

  expect_failures = [var.kms]
}

run "rejects_kms_deletion_window_too_long" {
  command = plan

  variables {
    kms = { deletion_window_in_days = 31 }
  }

  expect_failures = [var.kms]
}

run "rejects_kms_rotation_too_frequent" {
  command = plan

  variables {
    kms = { rotation_period_in_days = 89 }
  }

  expect_failures = [var.kms]
}

run "rejects_kms_rotation_too_rare" {
  command = plan

  variables {
    kms = { rotation_period_in_days = 2561 }
  }

  expect_failures = [var.kms]
}

run "rejects_kms_administrator_not_an_iam_arn" {
  command = plan

  variables {
    kms = { administrator_arns = ["platform-admin"] }
  }

  expect_failures = [var.kms]
}

run "rejects_kms_unknown_via_service" {
  command = plan

  variables {
    kms = { via_services = ["ec2"] }
  }

  expect_failures = [var.kms]
}

run "rejects_access_log_target_invalid_name" {
  command = plan

  variables {
    access_logging = { enabled = true, target_bucket = "Central_Logs" }
  }

  expect_failures = [var.access_logging]
}

run "rejects_access_log_retention_zero" {
  command = plan

  variables {
    access_logging = { enabled = true, retention_days = 0 }
  }

  expect_failures = [var.access_logging]
}

run "rejects_access_log_prefix_without_slash" {
  command = plan

  variables {
    access_logging = { enabled = true, target_prefix = "logs" }
  }

  expect_failures = [var.access_logging]
}

run "rejects_transition_unknown_class_for_loki" {
  command = plan

  variables {
    storage_transitions = { loki = [{ days = 40, storage_class = "TAPE" }] }
  }

  expect_failures = [var.storage_transitions]
}

run "rejects_transition_fractional_days" {
  command = plan

  variables {
    storage_transitions = { mimir = [{ days = 30.5, storage_class = "GLACIER_IR" }] }
  }

  expect_failures = [var.storage_transitions]
}

run "rejects_transition_to_onezone_ia_before_30_days" {
  command = plan

  variables {
    storage_transitions = { mimir = [{ days = 10, storage_class = "ONEZONE_IA" }] }
  }

  expect_failures = [var.storage_transitions]
}

run "rejects_mimir_transition_not_before_expiry" {
  command = plan

  variables {
    mimir_blocks_expiry = { days = 400, tenant_prefixes = ["anonymous/"] }
    storage_transitions = { mimir = [{ days = 400, storage_class = "GLACIER_IR" }] }
  }

  expect_failures = [var.storage_transitions]
}

run "rejects_tags_beyond_the_bucket_limit" {
  command = plan

  variables {
    tags = { for i in range(47) : "tag-${i}" => "x" }
  }

  expect_failures = [var.tags]
}

run "rejects_tags_with_the_aws_prefix" {
  command = plan

  variables {
    tags = { "aws:owner" = "platform" }
  }

  expect_failures = [var.tags]
}

run "rejects_archive_classes_the_apps_cannot_read" {
  command = plan

  variables {
    storage_transitions = { mimir = [{ days = 90, storage_class = "GLACIER" }] }
  }

  expect_failures = [var.storage_transitions]
}

run "rejects_deep_archive_the_apps_cannot_read" {
  command = plan

  variables {
    storage_transitions = { mimir = [{ days = 180, storage_class = "DEEP_ARCHIVE" }] }
  }

  expect_failures = [var.storage_transitions]
}
