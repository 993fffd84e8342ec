# AWS's limits at the prod root's inputs (src/obsctl/limits/table.yaml). Prod records an audit
# trail, so CloudTrail's rules (non-empty tag values, no -- in its name) apply to every input.

mock_provider "aws" {
  source = "../../modules/stack/tests/mocks"
}

mock_provider "aws" {
  alias  = "replica"
  source = "../../modules/stack/tests/mocks-replica"
}

variables {
  eks_cluster_name = "lgtm"
}

run "with_44_tags_each_bucket_carries_the_50_s3_allows" {
  command = plan

  variables {
    tags = { for i in range(44) : "team-${i}" => "x" }
  }
}

run "with_45_tags_the_51_tag_bucket_is_refused" {
  command = plan

  variables {
    tags = { for i in range(45) : "team-${i}" => "x" }
  }

  expect_failures = [var.tags]
}

run "an_empty_tag_value_is_refused_as_the_trail_takes_none" {
  command = plan

  variables {
    tags = { team = "" }
  }

  expect_failures = [var.tags]
}

run "a_name_prefix_with_two_hyphens_is_refused_as_it_names_the_trail" {
  command = plan

  variables {
    name_prefix = "lgtm--prod"
  }

  expect_failures = [var.name_prefix]
}

run "a_name_prefix_of_44_characters_makes_the_longest_bucket_name_the_63_s3_allows" {
  command = plan

  variables {
    name_prefix = join("", ["lgtm-prod-", join("", [for i in range(34) : "x"])])
  }

  assert {
    condition     = length(output.buckets.mimir.alertmanager.name) == 63
    error_message = "The longest bucket name, <prefix>-mimir-alertmanager, is S3's 63 characters."
  }
}
