# AWS's limits at the dev root's inputs (src/obsctl/limits/table.yaml): what a user passes with
# `obsctl up --var` or `terraform apply -var`. The largest value AWS takes plans, one more is
# refused by the variable's validation.

mock_provider "aws" {
  source = "../../modules/stack/tests/mocks"
}

variables {
  eks_cluster_name = "lgtm"
}

run "with_44_tags_each_bucket_carries_the_50_s3_allows" {
  command = plan

  variables {
    tags = { for i in range(44) : "team-${i}" => "x" }
  }

  assert {
    condition     = length(setunion(keys(var.tags), ["lgtm:managed-by"], values(output.reserved_tags))) == 50
    error_message = "A bucket carries the 44 tags given, lgtm:managed-by and the 5 the stack reserves: S3's 50."
  }
}

run "with_45_tags_the_51_tag_bucket_is_refused" {
  command = plan

  variables {
    tags = { for i in range(45) : "team-${i}" => "x" }
  }

  expect_failures = [var.tags]
}

run "a_key_that_differs_from_the_managed_by_tag_only_in_case_is_refused" {
  command = plan

  variables {
    tags = { "LGTM:Managed-By" = "x" }
  }

  expect_failures = [var.tags]
}

run "an_at_sign_is_taken_without_tables" {
  command = plan

  variables {
    tags = { owner = "oncall@example.com" }
  }
}

run "an_at_sign_is_refused_with_the_loki_tables" {
  command = plan

  variables {
    create_loki_tables = true
    tags               = { owner = "oncall@example.com" }
  }

  expect_failures = [var.tags]
}
