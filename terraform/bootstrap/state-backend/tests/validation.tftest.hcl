# Bad input fails at plan time with a message that names the problem.

mock_provider "aws" {
  source = "./tests/mocks"
}

run "rejects_an_unknown_encryption" {
  command = plan
  variables {
    encryption = { sse_algorithm = "aws:kms:dsse" }
  }
  expect_failures = [var.encryption]
}

run "rejects_a_key_with_sse_s3" {
  command = plan
  variables {
    encryption = { sse_algorithm = "AES256", kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/abcd" }
  }
  expect_failures = [var.encryption]
}

run "rejects_a_key_alias_instead_of_its_arn" {
  command = plan
  variables {
    encryption = { kms_key_arn = "arn:aws:kms:us-east-1:123456789012:alias/state" }
  }
  expect_failures = [var.encryption]
}

run "rejects_a_deletion_window_outside_7_to_30_days" {
  command = plan
  variables {
    encryption = { deletion_window_in_days = 5 }
  }
  expect_failures = [var.encryption]
}

run "rejects_an_invalid_bucket_name" {
  command = plan
  variables {
    bucket_name = "Terraform_State"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_a_reserved_bucket_suffix" {
  command = plan
  variables {
    bucket_name = "state-s3alias"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_zero_days_of_noncurrent_versions" {
  command = plan
  variables {
    noncurrent_version_expiration_days = 0
  }
  expect_failures = [var.noncurrent_version_expiration_days]
}

run "rejects_reserved_tag_keys" {
  command = plan
  variables {
    tags = { "aws:owner" = "me" }
  }
  expect_failures = [var.tags]
}

run "rejects_a_region_that_is_not_one" {
  command = plan
  variables {
    region = "us-east"
  }
  expect_failures = [var.region]
}
