# AWS's limits at this module's tag input (src/obsctl/limits/table.yaml).

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name_prefix  = "obs-dev"
  cluster_name = "lgtm"
}

run "with_50_tags_are_taken" {
  command = plan

  variables {
    tags = { for i in range(50) : "team-${i}" => "x" }
  }
}

run "a_value_starting_with_aws_is_refused_as_iam_reserves_it" {
  command = plan

  variables {
    tags = { owner = "AWS:platform" }
  }

  expect_failures = [var.tags]
}

run "keys_that_differ_only_in_case_are_refused" {
  command = plan

  variables {
    tags = { Env = "a", env = "b" }
  }

  expect_failures = [var.tags]
}

run "a_character_aws_refuses_in_tags_is_refused" {
  command = plan

  variables {
    tags = { team = "a,b" }
  }

  expect_failures = [var.tags]
}
