# Every input rule rejects its bad values at plan, with the failure attributed to the input
# (or, for derived names, to the resource whose precondition guards it).

mock_provider "aws" {}

variables {
  name_prefix        = "obs-dev"
  create_loki_tables = true
  kms_key_arns = {
    loki  = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
    mimir = "arn:aws:kms:eu-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef"
  }
}

# --- names -------------------------------------------------------------------------------

run "name_prefix_with_a_space_is_rejected" {
  command = plan
  variables { name_prefix = "obs dev" }
  expect_failures = [var.name_prefix]
}

run "name_prefix_with_a_slash_is_rejected" {
  command = plan
  variables { name_prefix = "obs/dev" }
  expect_failures = [var.name_prefix]
}

run "empty_name_prefix_is_rejected" {
  command = plan
  variables { name_prefix = "" }
  expect_failures = [var.name_prefix]
}

run "table_name_over_255_characters_is_rejected" {
  command = plan
  variables { name_prefix = "a${join("", [for i in range(245) : "b"])}" }
  expect_failures = [var.name_prefix]
}

run "periodic_table_name_over_255_characters_is_rejected" {
  command = plan
  variables {
    # 240 + "-loki-index" = 251 fits, but "-loki-index-12345" (257) does not.
    name_prefix     = join("", [for i in range(240) : "p"])
    periodic_tables = { period_hours = 24, first_period = 12340, count = 6 }
  }
  expect_failures = [var.name_prefix]
}

run "the_longer_mimir_name_is_the_one_measured" {
  command = plan
  variables {
    # 244 + "-loki-index" = 255 fits, 244 + "-mimir-index" = 256 does not.
    name_prefix         = join("", [for i in range(244) : "p"])
    create_mimir_tables = true
  }
  expect_failures = [var.name_prefix]
}

run "alarm_name_over_255_characters_is_rejected" {
  command = plan
  variables {
    name_prefix     = join("", [for i in range(240) : "p"])
    create_alarms   = true
    alarm_topic_arn = "arn:aws:sns:eu-west-1:111122223333:obs-alerts"
  }
  expect_failures = [aws_cloudwatch_metric_alarm.this]
}

run "scaling_policy_name_over_255_characters_is_rejected" {
  command = plan
  variables {
    name_prefix = join("", [for i in range(240) : "p"])
    billing = {
      mode        = "PROVISIONED"
      provisioned = { read = { min = 1, max = 5 }, write = { min = 1, max = 5 } }
    }
  }
  expect_failures = [aws_appautoscaling_policy.this]
}

# --- KMS keys ----------------------------------------------------------------------------

run "malformed_mimir_key_arn_is_rejected" {
  command = plan
  variables {
    kms_key_arns = {
      loki  = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
      mimir = "arn:aws:kms:eu-west-1:1111:key/11111111-2222-3333-4444-555555555555"
    }
  }
  expect_failures = [var.kms_key_arns]
}

run "alias_arn_for_loki_is_rejected" {
  command = plan
  variables {
    kms_key_arns = { loki = "arn:aws:kms:eu-west-1:111122223333:alias/loki" }
  }
  expect_failures = [var.kms_key_arns]
}

run "bare_key_id_is_rejected" {
  command = plan
  variables {
    kms_key_arns = { loki = "11111111-2222-3333-4444-555555555555" }
  }
  expect_failures = [var.kms_key_arns]
}

run "loki_tables_without_the_loki_key_are_rejected" {
  command = plan
  variables {
    kms_key_arns = { mimir = "arn:aws:kms:eu-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef" }
  }
  expect_failures = [var.kms_key_arns]
}

run "mimir_tables_without_the_mimir_key_are_rejected" {
  command = plan
  variables {
    create_loki_tables  = false
    create_mimir_tables = true
    kms_key_arns        = { loki = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555" }
  }
  expect_failures = [var.kms_key_arns]
}

# --- periodic tables ---------------------------------------------------------------------

run "periodic_tables_without_a_period_are_rejected" {
  command = plan
  variables { periodic_tables = { first_period = 2817, count = 3 } }
  expect_failures = [var.periodic_tables]
}

run "period_not_a_multiple_of_24_is_rejected" {
  command = plan
  variables { periodic_tables = { period_hours = 36, first_period = 2817, count = 3 } }
  expect_failures = [var.periodic_tables]
}

run "zero_period_is_rejected" {
  command = plan
  variables { periodic_tables = { period_hours = 0, first_period = 2817, count = 3 } }
  expect_failures = [var.periodic_tables]
}

run "periodic_tables_without_a_first_period_are_rejected" {
  command = plan
  variables { periodic_tables = { period_hours = 168, count = 3 } }
  expect_failures = [var.periodic_tables]
}

run "negative_first_period_is_rejected" {
  command = plan
  variables { periodic_tables = { period_hours = 168, first_period = -1, count = 3 } }
  expect_failures = [var.periodic_tables]
}

run "fractional_first_period_is_rejected" {
  command = plan
  variables { periodic_tables = { period_hours = 168, first_period = 2817.5, count = 3 } }
  expect_failures = [var.periodic_tables]
}

run "count_of_zero_is_rejected" {
  command = plan
  variables { periodic_tables = { period_hours = 168, first_period = 2817, count = 0 } }
  expect_failures = [var.periodic_tables]
}

run "count_over_400_is_rejected" {
  command = plan
  variables { periodic_tables = { period_hours = 24, first_period = 20000, count = 401 } }
  expect_failures = [var.periodic_tables]
}

run "missing_count_is_rejected" {
  command = plan
  variables { periodic_tables = { period_hours = 24, first_period = 20000 } }
  expect_failures = [var.periodic_tables]
}

# --- global secondary indexes ------------------------------------------------------------

run "index_hash_key_type_outside_s_n_b_is_rejected" {
  command = plan
  variables {
    global_secondary_indexes = [{ name = "by-tenant", hash_key = "tenant", hash_key_type = "BOOL" }]
  }
  expect_failures = [var.global_secondary_indexes]
}

run "index_range_key_type_outside_s_n_b_is_rejected" {
  command = plan
  variables {
    global_secondary_indexes = [{ name = "by-tenant", hash_key = "tenant", hash_key_type = "S", range_key = "ts", range_key_type = "M" }]
  }
  expect_failures = [var.global_secondary_indexes]
}

run "index_range_key_without_type_is_rejected" {
  command = plan
  variables {
    global_secondary_indexes = [{ name = "by-tenant", hash_key = "tenant", hash_key_type = "S", range_key = "ts" }]
  }
  expect_failures = [var.global_secondary_indexes]
}

run "index_range_key_equal_to_hash_key_is_rejected" {
  command = plan
  variables {
    global_secondary_indexes = [{ name = "by-tenant", hash_key = "tenant", hash_key_type = "S", range_key = "tenant", range_key_type = "S" }]
  }
  expect_failures = [var.global_secondary_indexes]
}

run "unknown_projection_type_is_rejected" {
  command = plan
  variables {
    global_secondary_indexes = [{ name = "by-tenant", hash_key = "tenant", hash_key_type = "S", projection_type = "SOME" }]
  }
  expect_failures = [var.global_secondary_indexes]
}

run "include_projection_without_attributes_is_rejected" {
  command = plan
  variables {
    global_secondary_indexes = [{ name = "by-tenant", hash_key = "tenant", hash_key_type = "S", projection_type = "INCLUDE" }]
  }
  expect_failures = [var.global_secondary_indexes]
}

run "non_key_attributes_without_include_are_rejected" {
  command = plan
  variables {
    global_secondary_indexes = [{ name = "by-tenant", hash_key = "tenant", hash_key_type = "S", projection_type = "KEYS_ONLY", non_key_attributes = ["c"] }]
  }
  expect_failures = [var.global_secondary_indexes]
}

run "duplicate_index_names_are_rejected" {
  command = plan
  variables {
    global_secondary_indexes = [
      { name = "by-tenant", hash_key = "tenant", hash_key_type = "S" },
      { name = "by-tenant", hash_key = "ts", hash_key_type = "N" },
    ]
  }
  expect_failures = [var.global_secondary_indexes]
}

run "index_name_too_short_is_rejected" {
  command = plan
  variables {
    global_secondary_indexes = [{ name = "by", hash_key = "tenant", hash_key_type = "S" }]
  }
  expect_failures = [var.global_secondary_indexes]
}

run "index_redeclaring_a_table_key_with_another_type_is_rejected" {
  command = plan
  variables {
    global_secondary_indexes = [{ name = "by-hash", hash_key = "h", hash_key_type = "N" }]
  }
  expect_failures = [var.global_secondary_indexes]
}

run "indexes_sharing_an_attribute_with_two_types_are_rejected" {
  command = plan
  variables {
    global_secondary_indexes = [
      { name = "by-ts-a", hash_key = "ts", hash_key_type = "N" },
      { name = "by-ts-b", hash_key = "ts", hash_key_type = "S" },
    ]
  }
  expect_failures = [var.global_secondary_indexes]
}

run "more_than_20_indexes_are_rejected" {
  command = plan
  variables {
    global_secondary_indexes = [for i in range(21) : { name = "index-${i}", hash_key = "k${i}", hash_key_type = "S" }]
  }
  expect_failures = [var.global_secondary_indexes]
}

# --- billing -----------------------------------------------------------------------------

run "unknown_billing_mode_is_rejected" {
  command = plan
  variables { billing = { mode = "ON_DEMAND" } }
  expect_failures = [var.billing]
}

run "ceiling_with_provisioned_is_rejected" {
  command = plan
  variables {
    billing = {
      mode        = "PROVISIONED"
      on_demand   = { max_read_request_units = 100 }
      provisioned = { read = { min = 1, max = 5 }, write = { min = 1, max = 5 } }
    }
  }
  expect_failures = [var.billing]
}

run "zero_ceiling_is_rejected" {
  command = plan
  variables { billing = { on_demand = { max_write_request_units = 0 } } }
  expect_failures = [var.billing]
}

run "provisioned_without_settings_is_rejected" {
  command = plan
  variables { billing = { mode = "PROVISIONED" } }
  expect_failures = [var.billing]
}

run "provisioned_settings_with_pay_per_request_are_rejected" {
  command = plan
  variables {
    billing = {
      provisioned = { read = { min = 1, max = 5 }, write = { min = 1, max = 5 } }
    }
  }
  expect_failures = [var.billing]
}

run "read_min_above_max_is_rejected" {
  command = plan
  variables {
    billing = {
      mode        = "PROVISIONED"
      provisioned = { read = { min = 50, max = 5 }, write = { min = 1, max = 5 } }
    }
  }
  expect_failures = [var.billing]
}

run "write_min_above_max_is_rejected" {
  command = plan
  variables {
    billing = {
      mode        = "PROVISIONED"
      provisioned = { read = { min = 1, max = 5 }, write = { min = 6, max = 5 } }
    }
  }
  expect_failures = [var.billing]
}

run "zero_capacity_is_rejected" {
  command = plan
  variables {
    billing = {
      mode        = "PROVISIONED"
      provisioned = { read = { min = 0, max = 5 }, write = { min = 1, max = 5 } }
    }
  }
  expect_failures = [var.billing]
}

run "utilisation_below_20_is_rejected" {
  command = plan
  variables {
    billing = {
      mode        = "PROVISIONED"
      provisioned = { read = { min = 1, max = 5, target_utilization = 10 }, write = { min = 1, max = 5 } }
    }
  }
  expect_failures = [var.billing]
}

run "utilisation_above_90_is_rejected" {
  command = plan
  variables {
    billing = {
      mode        = "PROVISIONED"
      provisioned = { read = { min = 1, max = 5 }, write = { min = 1, max = 5, target_utilization = 95 } }
    }
  }
  expect_failures = [var.billing]
}

# --- table settings ----------------------------------------------------------------------

run "unknown_table_class_is_rejected" {
  command = plan
  variables { table_class = "GLACIER" }
  expect_failures = [var.table_class]
}

run "ttl_on_a_key_attribute_is_rejected" {
  command = plan
  variables { ttl_attribute = "h" }
  expect_failures = [var.ttl_attribute]
}

run "empty_ttl_attribute_is_rejected" {
  command = plan
  variables { ttl_attribute = "" }
  expect_failures = [var.ttl_attribute]
}

run "reserved_tag_prefix_is_rejected" {
  command = plan
  variables { tags = { "aws:owner" = "me" } }
  expect_failures = [var.tags]
}

# --- alarms ------------------------------------------------------------------------------

run "non_sns_topic_arn_is_rejected" {
  command = plan
  variables { alarm_topic_arn = "arn:aws:sqs:eu-west-1:111122223333:obs-alerts" }
  expect_failures = [var.alarm_topic_arn]
}

run "topic_name_instead_of_arn_is_rejected" {
  command = plan
  variables { alarm_topic_arn = "obs-alerts" }
  expect_failures = [var.alarm_topic_arn]
}

run "negative_alarm_threshold_is_rejected" {
  command = plan
  variables { alarm_settings = { throttled_requests_threshold = -1 } }
  expect_failures = [var.alarm_settings]
}

run "alarm_period_not_a_multiple_of_60_is_rejected" {
  command = plan
  variables { alarm_settings = { period_seconds = 90 } }
  expect_failures = [var.alarm_settings]
}

run "zero_evaluation_periods_are_rejected" {
  command = plan
  variables { alarm_settings = { evaluation_periods = 0 } }
  expect_failures = [var.alarm_settings]
}

run "unknown_alarm_operation_is_rejected" {
  command = plan
  variables { alarm_settings = { operations = ["QueryPages"] } }
  expect_failures = [var.alarm_settings]
}

run "more_than_10_alarm_operations_are_rejected" {
  command = plan
  variables {
    alarm_settings = {
      operations = ["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems", "ExecuteStatement"]
    }
  }
  expect_failures = [var.alarm_settings]
}

run "alarms_without_a_topic_are_rejected" {
  command = plan
  variables { create_alarms = true }
  expect_failures = [var.create_alarms]
}
