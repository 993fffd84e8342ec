# AWS's limits at the stack's inputs (src/obsctl/limits/table.yaml): the largest value AWS takes
# plans and applies, one more is refused by the variable's validation.

mock_provider "aws" {
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "replica"
  source = "./tests/mocks-replica"
}

variables {
  environment      = "dev"
  eks_cluster_name = "lgtm"
}

run "with_45_tags_give_each_bucket_the_50_s3_allows" {
  command = plan

  variables {
    tags = { for i in range(45) : "team-${i}" => "x" }
  }

  assert {
    condition     = length(setunion(keys(var.tags), values(output.reserved_tags))) == 50
    error_message = "A bucket carries the 45 tags given and the 5 the stack reserves (lgtm:environment and the storage module's 4): S3's 50."
  }
}

run "with_46_tags_are_refused" {
  command = plan

  variables {
    tags = { for i in range(46) : "team-${i}" => "x" }
  }

  expect_failures = [var.tags]
}

run "a_key_that_differs_from_the_environment_tag_only_in_case_is_refused" {
  command = plan

  variables {
    tags = { "LGTM:Environment" = "x" }
  }

  expect_failures = [var.tags]
}

run "an_at_sign_is_refused_when_tables_are_created" {
  command = plan

  variables {
    create_loki_tables = true
    tags               = { owner = "oncall@example.com" }
  }

  expect_failures = [var.tags]
}

run "an_empty_tag_value_is_refused_when_the_audit_trail_is_on" {
  command = plan

  variables {
    audit_trail = { enabled = true }
    tags        = { team = "" }
  }

  expect_failures = [var.tags]
}

run "an_empty_tag_value_is_taken_without_the_trail" {
  command = plan

  variables {
    tags = { team = "" }
  }
}

run "a_name_prefix_with_two_hyphens_is_refused_when_the_trail_is_on" {
  command = plan

  variables {
    audit_trail = { enabled = true }
    name_prefix = "lgtm--dev"
  }

  expect_failures = [var.name_prefix]
}

run "an_environment_ending_in_a_hyphen_is_refused_when_the_trail_names_after_it" {
  command = plan

  variables {
    environment = "dev-"
    audit_trail = { enabled = true }
  }

  expect_failures = [var.environment]
}
