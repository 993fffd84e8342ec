# AWS's limits at this module's tag input (src/obsctl/limits/table.yaml).

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
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

# --- iam.role.inline_policies: Grafana's log groups -----------------------------------------
# Eight log groups of 512 characters and one of 360 make Grafana's policy exactly 10,240
# characters with the mock's account and Region; each character more adds two (two ARNs).

run "grafana_log_groups_up_to_10240_characters_of_inline_policy_are_taken" {
  command = plan

  variables {
    grafana_access = {
      cloudwatch_metrics = false
      cloudwatch_logs    = true
      cloudwatch_log_groups = concat(
        [for i in range(8) : "/g${i}/${join("", [for _ in range(508) : "x"])}"],
        ["/g8/${join("", [for _ in range(356) : "x"])}"],
      )
    }
  }

  assert {
    condition     = length(aws_iam_role_policy.grafana["grafana"].policy) == 10240
    error_message = "The largest case must be exactly IAM's limit, or it proves nothing: ${length(aws_iam_role_policy.grafana["grafana"].policy)} characters."
  }
}

run "grafana_log_groups_past_10240_characters_are_refused_at_plan" {
  command = plan

  variables {
    grafana_access = {
      cloudwatch_metrics = false
      cloudwatch_logs    = true
      cloudwatch_log_groups = concat(
        [for i in range(8) : "/g${i}/${join("", [for _ in range(508) : "x"])}"],
        ["/g8/${join("", [for _ in range(357) : "x"])}"],
      )
    }
  }

  expect_failures = [aws_iam_role_policy.grafana]
}
