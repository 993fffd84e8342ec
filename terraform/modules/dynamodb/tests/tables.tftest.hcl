# Each flag alone and both: names, key schema, billing, PITR, SSE with the app's own key,
# deletion protection, table class, TTL and tags.

mock_provider "aws" {}

variables {
  name_prefix = "obs-dev"
  kms_key_arns = {
    loki  = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
    mimir = "arn:aws:kms:eu-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef"
  }
}

run "loki_flag_creates_one_loki_table" {
  command = plan

  variables {
    create_loki_tables = true
  }

  assert {
    condition     = keys(aws_dynamodb_table.on_demand) == ["obs-dev-loki-index"]
    error_message = "create_loki_tables alone must create exactly the table obs-dev-loki-index."
  }

  assert {
    condition     = aws_dynamodb_table.on_demand["obs-dev-loki-index"].name == "obs-dev-loki-index"
    error_message = "The table name must be <name_prefix>-loki-index."
  }

  assert {
    condition     = aws_dynamodb_table.on_demand["obs-dev-loki-index"].hash_key == "h" && aws_dynamodb_table.on_demand["obs-dev-loki-index"].range_key == "r"
    error_message = "The table keys must be hash h and range r."
  }

  assert {
    condition     = toset([for a in aws_dynamodb_table.on_demand["obs-dev-loki-index"].attribute : "${a.name}:${a.type}"]) == toset(["h:S", "r:B"])
    error_message = "The table must declare exactly h (S) and r (B)."
  }

  assert {
    condition     = aws_dynamodb_table.on_demand["obs-dev-loki-index"].billing_mode == "PAY_PER_REQUEST"
    error_message = "The default billing mode must be PAY_PER_REQUEST."
  }

  assert {
    condition     = aws_dynamodb_table.on_demand["obs-dev-loki-index"].point_in_time_recovery[0].enabled == true
    error_message = "Point-in-time recovery must be on by default."
  }

  assert {
    condition     = aws_dynamodb_table.on_demand["obs-dev-loki-index"].server_side_encryption[0].enabled == true
    error_message = "Server-side encryption must be on."
  }

  assert {
    condition     = aws_dynamodb_table.on_demand["obs-dev-loki-index"].server_side_encryption[0].kms_key_arn == "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
    error_message = "The Loki table must be encrypted with the Loki key."
  }

  assert {
    condition     = aws_dynamodb_table.on_demand["obs-dev-loki-index"].deletion_protection_enabled == true
    error_message = "Deletion protection must be on by default."
  }

  assert {
    condition     = aws_dynamodb_table.on_demand["obs-dev-loki-index"].table_class == "STANDARD"
    error_message = "The default table class must be STANDARD."
  }

  assert {
    condition     = length(aws_dynamodb_table.on_demand["obs-dev-loki-index"].global_secondary_index) == 0
    error_message = "No index may be created by default."
  }

  assert {
    condition     = length(aws_dynamodb_table.provisioned) == 0 && length(aws_appautoscaling_target.this) == 0
    error_message = "PAY_PER_REQUEST must not create provisioned tables or auto scaling."
  }

  assert {
    condition     = length(output.tables.loki) == 1 && output.tables.loki[0].name == "obs-dev-loki-index" && length(output.tables.mimir) == 0
    error_message = "output tables must list the one Loki table and no Mimir table."
  }

  assert {
    condition     = length(output.table_arns.loki) == 1 && length(output.table_arns.mimir) == 0
    error_message = "output table_arns must hold one Loki ARN and no Mimir ARN."
  }

  assert {
    condition     = output.index_prefix.loki == "obs-dev-loki-index" && output.index_prefix.mimir == null
    error_message = "output index_prefix must be the single table's name for Loki and null for Mimir."
  }
}

run "mimir_flag_creates_one_mimir_table_with_the_mimir_key" {
  command = plan

  variables {
    create_mimir_tables = true
  }

  assert {
    condition     = keys(aws_dynamodb_table.on_demand) == ["obs-dev-mimir-index"]
    error_message = "create_mimir_tables alone must create exactly the table obs-dev-mimir-index."
  }

  assert {
    condition     = aws_dynamodb_table.on_demand["obs-dev-mimir-index"].server_side_encryption[0].kms_key_arn == "arn:aws:kms:eu-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef"
    error_message = "The Mimir table must be encrypted with the Mimir key."
  }

  assert {
    condition     = toset([for a in aws_dynamodb_table.on_demand["obs-dev-mimir-index"].attribute : "${a.name}:${a.type}"]) == toset(["h:S", "r:B"])
    error_message = "The Mimir table must keep the chunk-index schema h (S) and r (B)."
  }

  assert {
    condition     = length(output.tables.mimir) == 1 && output.tables.mimir[0].name == "obs-dev-mimir-index" && length(output.tables.loki) == 0
    error_message = "output tables must list the one Mimir table and no Loki table."
  }

  assert {
    condition     = output.index_prefix.mimir == "obs-dev-mimir-index" && output.index_prefix.loki == null
    error_message = "output index_prefix must be the single table's name for Mimir and null for Loki."
  }
}

run "mimir_flag_needs_only_the_mimir_key" {
  command = plan

  variables {
    create_mimir_tables = true
    kms_key_arns = {
      mimir = "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
    }
  }

  assert {
    condition     = aws_dynamodb_table.on_demand["obs-dev-mimir-index"].server_side_encryption[0].kms_key_arn == "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
    error_message = "A Mimir-only plan must accept a missing Loki key and a non-aws partition."
  }
}

run "both_flags_create_both_tables_with_their_own_keys_and_settings" {
  command = plan

  variables {
    create_loki_tables     = true
    create_mimir_tables    = true
    deletion_protection    = false
    point_in_time_recovery = false
    table_class            = "STANDARD_INFREQUENT_ACCESS"
    ttl_attribute          = "expires_at"
    tags = {
      env   = "dev"
      owner = "observability"
    }
  }

  assert {
    condition     = toset(keys(aws_dynamodb_table.on_demand)) == toset(["obs-dev-loki-index", "obs-dev-mimir-index"])
    error_message = "Both flags must create the Loki and the Mimir table."
  }

  assert {
    condition     = aws_dynamodb_table.on_demand["obs-dev-loki-index"].server_side_encryption[0].kms_key_arn == "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
    error_message = "The Loki table must use the Loki key, not the Mimir key."
  }

  assert {
    condition     = aws_dynamodb_table.on_demand["obs-dev-mimir-index"].server_side_encryption[0].kms_key_arn == "arn:aws:kms:eu-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef"
    error_message = "The Mimir table must use the Mimir key, not the Loki key."
  }

  assert {
    condition     = length(aws_dynamodb_table.on_demand) == 2 && alltrue([for t in aws_dynamodb_table.on_demand : t.deletion_protection_enabled == false])
    error_message = "deletion_protection = false must reach every table."
  }

  assert {
    condition     = length(aws_dynamodb_table.on_demand) == 2 && alltrue([for t in aws_dynamodb_table.on_demand : t.point_in_time_recovery[0].enabled == false])
    error_message = "point_in_time_recovery = false must reach every table."
  }

  assert {
    condition     = length(aws_dynamodb_table.on_demand) == 2 && alltrue([for t in aws_dynamodb_table.on_demand : t.table_class == "STANDARD_INFREQUENT_ACCESS"])
    error_message = "table_class must reach every table."
  }

  assert {
    condition     = alltrue([for t in aws_dynamodb_table.on_demand : length(t.ttl) == 1 && t.ttl[0].enabled == true && t.ttl[0].attribute_name == "expires_at"])
    error_message = "ttl_attribute must turn on TTL with that attribute on every table."
  }

  assert {
    condition     = length(aws_dynamodb_table.on_demand) == 2 && alltrue([for t in aws_dynamodb_table.on_demand : t.tags == tomap({ env = "dev", owner = "observability" })])
    error_message = "tags must reach every table."
  }

  assert {
    condition     = output.tables.loki[0].name == "obs-dev-loki-index" && output.tables.mimir[0].name == "obs-dev-mimir-index"
    error_message = "output tables must list each app's table under its app."
  }

  assert {
    condition     = output.index_prefix == { loki = "obs-dev-loki-index", mimir = "obs-dev-mimir-index" }
    error_message = "output index_prefix must give each app's single table name."
  }
}
