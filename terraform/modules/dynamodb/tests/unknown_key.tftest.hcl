# The stack passes key ARNs that the s3-kms module creates in the same apply: validation must
# wait for the value instead of failing the plan.

mock_provider "aws" {}

run "a_key_arn_known_only_after_apply_still_plans" {
  command = plan

  module {
    source = "./tests/fixtures/unknown_kms_key"
  }

  assert {
    condition     = output.loki_table_names == ["obs-dev-loki-index"]
    error_message = "The Loki table must be planned while its key ARN is still unknown."
  }

  assert {
    condition     = output.index_prefix.loki == "obs-dev-loki-index"
    error_message = "index_prefix must be known at plan even when the key ARN is not."
  }
}
