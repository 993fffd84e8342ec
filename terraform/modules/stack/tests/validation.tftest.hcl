# The stack's own inputs reject bad values at plan time, naming the input its callers set
# (`workloads`, not the iam module's `apps`), before anything is created.

mock_provider "aws" {
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias = "replica"

  mock_data "aws_region" {
    defaults = {
      name = "us-west-2"
    }
  }
}

variables {
  environment      = "dev"
  eks_cluster_name = "lgtm"
}

run "accepts_the_defaults_and_valid_workloads" {
  command = plan

  variables {
    workloads = {
      mimir = { namespace = "mimir", service_accounts = ["mimir", "mimir-ruler"] }
      tempo = { identity = "pod_identity" }
    }
  }

  assert {
    condition     = output.contract_version == 3 && output.reserved_tags.environment == "lgtm:environment" && output.reserved_tags.app == "lgtm:app" && output.partition == "aws" && output.cluster.arn == "arn:aws:eks:us-east-1:123456789012:cluster/lgtm"
    error_message = "The stack contract is version 3 and publishes the reserved tag keys."
  }

  assert {
    condition     = output.buckets.loki.chunks.holds_data && output.buckets.loki.chunks.expiry_guard.min_days == 32
    error_message = "The contract passes the storage module's per-bucket facts through."
  }
}

run "rejects_an_unknown_identity_in_workloads" {
  command = plan

  variables {
    workloads = { loki = { identity = "kiam" } }
  }

  expect_failures = [var.workloads]
}

run "rejects_a_wildcard_namespace_in_workloads" {
  command = plan

  variables {
    workloads = { loki = { namespace = "team-*" } }
  }

  expect_failures = [var.workloads]
}

run "rejects_an_uppercase_namespace_in_workloads" {
  command = plan

  variables {
    workloads = { loki = { namespace = "Logging" } }
  }

  expect_failures = [var.workloads]
}

run "rejects_empty_service_accounts_in_workloads" {
  command = plan

  variables {
    workloads = { loki = { service_accounts = [] } }
  }

  expect_failures = [var.workloads]
}

run "rejects_a_wildcard_service_account_in_workloads" {
  command = plan

  variables {
    workloads = { loki = { service_accounts = ["loki-*"] } }
  }

  expect_failures = [var.workloads]
}

run "rejects_an_invalid_service_account_name_in_workloads" {
  command = plan

  variables {
    workloads = { tempo = { service_accounts = ["Tempo_SA"] } }
  }

  expect_failures = [var.workloads]
}

run "rejects_a_service_account_listed_twice_in_workloads" {
  command = plan

  variables {
    workloads = { mimir = { service_accounts = ["mimir", "mimir"] } }
  }

  expect_failures = [var.workloads]
}

run "rejects_a_service_account_claimed_by_two_apps" {
  command = plan

  variables {
    workloads = { mimir = { namespace = "loki", service_accounts = ["loki"] } }
  }

  expect_failures = [var.workloads]
}

run "rejects_tags_beyond_the_bucket_limit" {
  command = plan

  variables {
    tags = { for i in range(47) : "tag-${i}" => "x" }
  }

  expect_failures = [var.tags]
}
