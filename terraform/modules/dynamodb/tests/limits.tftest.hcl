# AWS's limits at this module's tag input (src/obsctl/limits/table.yaml): DynamoDB takes 50 tags
# and documents no @ in them.

mock_provider "aws" {}

variables {
  name_prefix        = "obs-dev"
  create_loki_tables = true
  kms_key_arns = {
    loki = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
  }
}

run "with_50_tags_are_taken" {
  command = plan

  variables {
    tags = { for i in range(50) : "team-${i}" => "x" }
  }
}

run "with_51_tags_are_refused" {
  command = plan

  variables {
    tags = { for i in range(51) : "team-${i}" => "x" }
  }

  expect_failures = [var.tags]
}

run "an_at_sign_is_refused_on_tables" {
  command = plan

  variables {
    tags = { owner = "oncall@example.com" }
  }

  expect_failures = [var.tags]
}

run "an_at_sign_is_taken_when_no_table_is_created" {
  command = plan

  variables {
    create_loki_tables = false
    tags               = { owner = "oncall@example.com" }
  }
}
