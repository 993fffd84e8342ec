# Periodic tables: Loki's "<index.prefix><period number>" names, count, order and outputs.

mock_provider "aws" {}

variables {
  name_prefix = "obs-prod"
  kms_key_arns = {
    loki  = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
    mimir = "arn:aws:kms:eu-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef"
  }
}

run "periodic_loki_tables_are_named_by_period_number" {
  command = plan

  variables {
    create_loki_tables = true
    periodic_tables = {
      period_hours = 168
      first_period = 2817
      count        = 3
    }
  }

  assert {
    condition     = toset(keys(aws_dynamodb_table.on_demand)) == toset(["obs-prod-loki-index-2817", "obs-prod-loki-index-2818", "obs-prod-loki-index-2819"])
    error_message = "Periodic tables must be named <name_prefix>-loki-index-<period number> for count consecutive periods."
  }

  assert {
    condition     = output.index_prefix.loki == "obs-prod-loki-index-"
    error_message = "output index_prefix must be the periodic prefix that Loki's index.prefix takes."
  }

  assert {
    condition     = output.period_hours == 168
    error_message = "output period_hours must repeat periodic_tables.period_hours."
  }

  assert {
    condition     = [for t in output.tables.loki : t.name] == ["obs-prod-loki-index-2817", "obs-prod-loki-index-2818", "obs-prod-loki-index-2819"]
    error_message = "output tables must list the periodic tables in period order."
  }

  assert {
    condition     = length(aws_dynamodb_table.on_demand) == 3 && alltrue([for t in aws_dynamodb_table.on_demand : t.hash_key == "h" && t.range_key == "r" && t.server_side_encryption[0].kms_key_arn == "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"])
    error_message = "Every periodic Loki table must have the h/r keys and the Loki key."
  }
}

run "periodic_outputs_keep_numeric_order_across_digit_counts" {
  command = plan

  variables {
    create_loki_tables = true
    periodic_tables = {
      period_hours = 24
      first_period = 8
      count        = 3
    }
  }

  assert {
    condition     = [for t in output.tables.loki : t.name] == ["obs-prod-loki-index-8", "obs-prod-loki-index-9", "obs-prod-loki-index-10"]
    error_message = "output tables must follow period order (8, 9, 10), not the lexical order of names."
  }

  assert {
    condition     = length(output.table_arns.loki) == 3
    error_message = "output table_arns must hold one ARN per periodic table."
  }
}

run "periodic_tables_apply_to_both_apps" {
  command = plan

  variables {
    create_loki_tables  = true
    create_mimir_tables = true
    periodic_tables = {
      period_hours = 24
      first_period = 20000
      count        = 2
    }
  }

  assert {
    condition     = length(aws_dynamodb_table.on_demand) == 4
    error_message = "count periods for two apps must create 2 x count tables."
  }

  assert {
    condition     = [for t in output.tables.mimir : t.name] == ["obs-prod-mimir-index-20000", "obs-prod-mimir-index-20001"]
    error_message = "Mimir periodic tables must use the Mimir prefix."
  }

  assert {
    condition     = alltrue([for n in ["obs-prod-mimir-index-20000", "obs-prod-mimir-index-20001"] : aws_dynamodb_table.on_demand[n].server_side_encryption[0].kms_key_arn == "arn:aws:kms:eu-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef"])
    error_message = "Mimir periodic tables must use the Mimir key."
  }

  assert {
    condition     = output.index_prefix == { loki = "obs-prod-loki-index-", mimir = "obs-prod-mimir-index-" }
    error_message = "output index_prefix must give each app's periodic prefix."
  }

  assert {
    condition     = output.period_hours == 24
    error_message = "output period_hours must be 24."
  }
}

run "the_maximum_of_400_periods_is_accepted" {
  command = plan

  variables {
    create_loki_tables = true
    periodic_tables = {
      period_hours = 24
      first_period = 0
      count        = 400
    }
  }

  assert {
    condition     = length(aws_dynamodb_table.on_demand) == 400 && contains(keys(aws_dynamodb_table.on_demand), "obs-prod-loki-index-399")
    error_message = "count = 400 starting at period 0 must create tables 0 to 399."
  }
}
