# The replica region must differ from the stack's, and names must fit S3 and IAM.

mock_provider "aws" {
  override_during = plan
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:user/test" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
}

mock_provider "aws" {
  alias           = "replica"
  override_during = plan
  mock_data "aws_region" {
    defaults = { name = "us-west-2" }
  }
}

variables {
  name_prefix = "obs"
  sources = {
    tempo-traces = {
      app             = "tempo", store = "traces", name = "obs-tempo-traces", arn = "arn:aws:s3:::obs-tempo-traces"
      kms_key_arn     = "arn:aws:kms:us-east-1:123456789012:key/bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"
      lifecycle_rules = []
    }
  }
}

run "rejects_a_replica_region_equal_to_the_stacks" {
  command = plan

  override_data {
    target = data.aws_region.replica
    values = { name = "us-east-1" }
  }

  expect_failures = [data.aws_region.replica]
}

run "rejects_a_replica_name_over_63_characters" {
  command = plan
  variables {
    sources = {
      tempo-traces = {
        app         = "tempo", store = "traces", name = "a-very-long-prefix-that-fills-most-of-the-name-tempo-traces", arn = "arn:aws:s3:::x"
        kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb", lifecycle_rules = []
      }
    }
  }
  expect_failures = [var.sources]
}

run "rejects_no_sources" {
  command = plan
  variables { sources = {} }
  expect_failures = [var.sources]
}
