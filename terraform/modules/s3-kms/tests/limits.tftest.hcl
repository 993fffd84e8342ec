# AWS's limits at this module's inputs (src/obsctl/limits/table.yaml): the largest value AWS
# takes plans and applies, one more is refused by the variable's validation.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name_prefix = "obs-dev"
}

run "with_46_tags_give_each_bucket_the_50_s3_allows" {
  variables {
    tags = { for i in range(46) : "team-${i}" => "x" }
  }

  assert {
    condition     = alltrue([for bucket in aws_s3_bucket.this : length(bucket.tags) == 50])
    error_message = "Each bucket carries the 46 tags given and the module's 4 (lgtm:module, lgtm:app, lgtm:store, lgtm:kms-key): S3's 50."
  }
}

run "with_47_tags_are_refused" {
  command = plan

  variables {
    tags = { for i in range(47) : "team-${i}" => "x" }
  }

  expect_failures = [var.tags]
}

run "reserved_keys_given_again_do_not_count" {
  command = plan

  variables {
    tags = merge({ for i in range(46) : "team-${i}" => "x" }, { "lgtm:module" = "mine", "lgtm:kms-key" = "mine" })
  }
}

run "the_longest_key_and_value_and_every_allowed_character_are_taken" {
  command = plan

  variables {
    tags = {
      (join("", [for i in range(128) : "k"])) = join("", [for i in range(256) : "v"])
      "Équipe _.:/=+-@ 1"                     = "owner@example.com"
    }
  }
}

run "a_key_of_129_characters_is_refused" {
  command = plan

  variables {
    tags = { (join("", [for i in range(129) : "k"])) = "v" }
  }

  expect_failures = [var.tags]
}

run "a_value_of_257_characters_is_refused" {
  command = plan

  variables {
    tags = { team = join("", [for i in range(257) : "v"]) }
  }

  expect_failures = [var.tags]
}

run "a_character_aws_refuses_in_tags_is_refused" {
  command = plan

  variables {
    tags = { "team#1" = "x" }
  }

  expect_failures = [var.tags]
}

run "the_aws_prefix_is_refused_in_any_case" {
  command = plan

  variables {
    tags = { "AWS:owner" = "x" }
  }

  expect_failures = [var.tags]
}

run "one_zone_ia_then_glacier_instant_retrieval_is_refused" {
  command = plan

  variables {
    storage_transitions = { mimir = [{ days = 30, storage_class = "ONEZONE_IA" }, { days = 90, storage_class = "GLACIER_IR" }] }
  }

  expect_failures = [var.storage_transitions]
}

run "standard_ia_then_glacier_instant_retrieval_30_days_later_is_taken" {
  command = plan

  variables {
    storage_transitions = { mimir = [{ days = 30, storage_class = "STANDARD_IA" }, { days = 60, storage_class = "GLACIER_IR" }] }
  }
}
