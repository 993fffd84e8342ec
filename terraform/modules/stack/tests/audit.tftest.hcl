# The audit trail: every Region, management and data events, validated, encrypted logs in a
# versioned bucket whose own access is logged; refused without access logging.

mock_provider "aws" {
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "replica"
  source = "./tests/mocks-replica"
}

variables {
  environment      = "prod"
  eks_cluster_name = "lgtm"
  access_logging   = { enabled = true }
  audit_trail      = { enabled = true }
}

run "the_trail_records_every_region_management_and_data_events" {
  command = plan

  assert {
    condition     = aws_cloudtrail.this[0].is_multi_region_trail && aws_cloudtrail.this[0].include_global_service_events && aws_cloudtrail.this[0].enable_log_file_validation && aws_cloudtrail.this[0].enable_logging
    error_message = "The trail is multi-Region, records global service events, validates log files and logs."
  }

  assert {
    condition     = length([for s in aws_cloudtrail.this[0].event_selector : s if s.include_management_events && s.read_write_type == "All"]) == 1
    error_message = "Read and write management events are recorded (CloudTrail.1)."
  }

  assert {
    condition     = length([for s in aws_cloudtrail.this[0].event_selector : s if !s.include_management_events && s.read_write_type == "WriteOnly" && length(s.data_resource) == 1]) == 1
    error_message = "S3 object events of the telemetry buckets are recorded with the configured read/write type."
  }
}

run "management_events_can_be_left_to_an_organization_trail" {
  command = plan

  variables {
    audit_trail = { enabled = true, management_events = false }
  }

  assert {
    condition     = length([for s in aws_cloudtrail.this[0].event_selector : s if s.include_management_events]) == 0
    error_message = "With management_events = false only the data-event selector remains."
  }
}

run "the_audit_bucket_logs_its_own_access_into_the_log_bucket" {
  command = plan

  assert {
    condition     = aws_s3_bucket_logging.audit[0].target_prefix == "s3-access-logs/lgtm-prod-123456789012-audit/"
    error_message = "The audit bucket's server access logs go to the access-log bucket under its own prefix."
  }
}

run "an_audit_trail_without_access_logging_is_refused" {
  command = plan

  variables {
    access_logging = { enabled = false }
  }

  expect_failures = [aws_s3_bucket.audit]
}
