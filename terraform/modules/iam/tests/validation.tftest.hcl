# Every input validation rule rejects its bad values at plan time. Each run
# breaks exactly one rule and keeps everything else valid, so the expected
# failure is the only error.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  name_prefix  = "obs"
  cluster_name = "lgtm"
}

# --- service accounts --------------------------------------------------------------

run "rejects_the_default_service_account" {
  command = plan
  variables {
    apps = { mimir = { service_accounts = ["mimir", "default"] } }
  }
  expect_failures = [var.apps]
}

# --- name_prefix ---------------------------------------------------------------

run "rejects_name_prefix_with_invalid_characters" {
  command = plan
  variables { name_prefix = "obs/dev lgtm" }
  expect_failures = [var.name_prefix]
}

run "rejects_empty_name_prefix" {
  command = plan
  variables { name_prefix = "" }
  expect_failures = [var.name_prefix]
}

run "rejects_name_prefix_that_makes_grafana_role_name_too_long" {
  command = plan
  variables { name_prefix = "p23456789012345678901234567890123456789012345678901234567" }
  expect_failures = [var.name_prefix]
}

# --- apps ------------------------------------------------------------------------

run "rejects_unknown_app_name" {
  command = plan
  variables { apps = { loki = {}, prometheus = {} } }
  expect_failures = [var.apps]
}

run "rejects_unknown_identity" {
  command = plan
  variables { apps = { loki = { identity = "oidc" } } }
  expect_failures = [var.apps]
}

run "rejects_wildcard_namespace" {
  command = plan
  variables { apps = { loki = { namespace = "*" } } }
  expect_failures = [var.apps]
}

run "rejects_namespace_that_is_not_a_dns_label" {
  command = plan
  variables { apps = { loki = { namespace = "Logging_NS" } } }
  expect_failures = [var.apps]
}

run "rejects_namespace_longer_than_63_characters" {
  command = plan
  variables { apps = { loki = { namespace = "n234567890123456789012345678901234567890123456789012345678901234" } } }
  expect_failures = [var.apps]
}

run "rejects_namespace_ending_with_hyphen" {
  command = plan
  variables { apps = { loki = { namespace = "logging-" } } }
  expect_failures = [var.apps]
}

run "rejects_empty_service_account_list" {
  command = plan
  variables { apps = { loki = { service_accounts = [] } } }
  expect_failures = [var.apps]
}

run "rejects_service_account_with_star_wildcard" {
  command = plan
  variables { apps = { loki = { service_accounts = ["loki-*"] } } }
  expect_failures = [var.apps]
}

run "rejects_service_account_with_question_mark_wildcard" {
  command = plan
  variables { apps = { mimir = { service_accounts = ["mimir", "mimir-rule?"] } } }
  expect_failures = [var.apps]
}

run "rejects_service_account_that_is_not_a_dns_subdomain" {
  command = plan
  variables { apps = { loki = { service_accounts = ["Loki_SA"] } } }
  expect_failures = [var.apps]
}

run "rejects_service_account_listed_twice" {
  command = plan
  variables { apps = { mimir = { service_accounts = ["mimir", "mimir"] } } }
  expect_failures = [var.apps]
}

run "rejects_service_account_shared_by_two_apps" {
  command = plan
  variables {
    apps = {
      loki  = { namespace = "obs", service_accounts = ["collector"] }
      tempo = { namespace = "obs", service_accounts = ["collector"] }
    }
  }
  expect_failures = [var.apps]
}

# --- storage ---------------------------------------------------------------------

run "rejects_storage_for_grafana" {
  command = plan
  variables {
    storage = { grafana = { bucket_arns = ["arn:aws:s3:::obs-grafana"], kms_key_arns = [] } }
  }
  expect_failures = [var.storage]
}

run "rejects_storage_for_an_app_without_a_role" {
  command = plan
  variables {
    apps    = { loki = {} }
    storage = { tempo = { bucket_arns = ["arn:aws:s3:::obs-tempo-traces"], kms_key_arns = [] } }
  }
  expect_failures = [var.storage]
}

run "rejects_storage_without_buckets" {
  command = plan
  variables {
    storage = { loki = { bucket_arns = [], kms_key_arns = [] } }
  }
  expect_failures = [var.storage]
}

run "rejects_bucket_name_instead_of_bucket_arn" {
  command = plan
  variables {
    storage = { loki = { bucket_arns = ["obs-loki-chunks"], kms_key_arns = [] } }
  }
  expect_failures = [var.storage]
}

run "rejects_object_arn_instead_of_bucket_arn" {
  command = plan
  variables {
    storage = { loki = { bucket_arns = ["arn:aws:s3:::obs-loki-chunks/*"], kms_key_arns = [] } }
  }
  expect_failures = [var.storage]
}

run "rejects_kms_alias_arn_instead_of_key_arn" {
  command = plan
  variables {
    storage = {
      loki = {
        bucket_arns  = ["arn:aws:s3:::obs-loki-chunks"]
        kms_key_arns = ["arn:aws:kms:us-east-1:123456789012:alias/obs-loki"]
      }
    }
  }
  expect_failures = [var.storage]
}

run "rejects_malformed_kms_key_arn" {
  command = plan
  variables {
    storage = {
      loki = {
        bucket_arns  = ["arn:aws:s3:::obs-loki-chunks"]
        kms_key_arns = ["arn:aws:kms:us-east-1:123456789012:key/not-a-key-id"]
      }
    }
  }
  expect_failures = [var.storage]
}

run "rejects_bare_kms_key_id" {
  command = plan
  variables {
    storage = {
      loki = {
        bucket_arns  = ["arn:aws:s3:::obs-loki-chunks"]
        kms_key_arns = ["22222222-2222-4222-8222-222222222222"]
      }
    }
  }
  expect_failures = [var.storage]
}

# --- dynamodb_table_arns -----------------------------------------------------------

run "rejects_dynamodb_tables_for_unknown_app" {
  command = plan
  variables { dynamodb_table_arns = { cortex = ["arn:aws:dynamodb:us-east-1:123456789012:table/cortex_index"] } }
  expect_failures = [var.dynamodb_table_arns]
}

run "rejects_malformed_dynamodb_table_arn" {
  command = plan
  variables { dynamodb_table_arns = { loki = ["arn:aws:dynamodb:us-east-1:123456789012:loki_index"] } }
  expect_failures = [var.dynamodb_table_arns]
}

run "rejects_dynamodb_index_arn_instead_of_table_arn" {
  command = plan
  variables { dynamodb_table_arns = { loki = ["arn:aws:dynamodb:us-east-1:123456789012:table/loki_index/index/gsi"] } }
  expect_failures = [var.dynamodb_table_arns]
}

run "rejects_loki_tables_without_loki_app" {
  command = plan
  variables {
    apps                = { mimir = {} }
    dynamodb_table_arns = { loki = ["arn:aws:dynamodb:us-east-1:123456789012:table/loki_index"] }
  }
  expect_failures = [var.dynamodb_table_arns]
}

# --- cluster_name ----------------------------------------------------------------

run "rejects_malformed_cluster_name" {
  command = plan
  variables { cluster_name = "-lgtm cluster" }
  expect_failures = [var.cluster_name]
}

run "rejects_pod_identity_without_cluster_name" {
  command = plan
  variables {
    cluster_name = null
    apps         = { tempo = { identity = "pod_identity" } }
  }
  expect_failures = [var.clusters]
}

# --- oidc ------------------------------------------------------------------------

run "rejects_malformed_oidc_provider_arn" {
  command = plan
  variables { oidc = { provider_arn = "arn:aws:iam::123456789012:role/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE" } }
  expect_failures = [var.oidc]
}

run "rejects_issuer_url_as_provider_arn" {
  command = plan
  variables { oidc = { provider_arn = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE" } }
  expect_failures = [var.oidc]
}

run "rejects_issuer_url_without_https" {
  command = plan
  variables { oidc = { issuer_url = "http://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE" } }
  expect_failures = [var.oidc]
}

run "rejects_provider_arn_together_with_create_provider" {
  command = plan
  variables {
    oidc = {
      provider_arn    = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"
      create_provider = true
    }
  }
  expect_failures = [var.oidc]
}

run "rejects_create_provider_without_issuer_or_cluster" {
  command = plan
  variables {
    cluster_name = null
    oidc         = { create_provider = true }
  }
  expect_failures = [var.oidc]
}

run "rejects_provider_arn_that_does_not_match_issuer_url" {
  command = plan
  variables {
    oidc = {
      provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"
      issuer_url   = "https://oidc.eks.us-east-1.amazonaws.com/id/OTHER"
    }
  }
  expect_failures = [var.oidc]
}

run "rejects_irsa_without_any_oidc_source" {
  command = plan
  variables { cluster_name = null }
  expect_failures = [var.clusters]
}

# --- grafana_access -----------------------------------------------------------------

run "rejects_malformed_prometheus_workspace_arn" {
  command = plan
  variables {
    grafana_access = { prometheus_query = true, prometheus_workspace_arns = ["ws-0a1b2c3d-4e5f-6789-abcd-ef0123456789"] }
  }
  expect_failures = [var.grafana_access]
}

run "rejects_workspace_arns_while_prometheus_query_is_off" {
  command = plan
  variables {
    grafana_access = { prometheus_workspace_arns = ["arn:aws:aps:us-east-1:123456789012:workspace/ws-0a1b2c3d-4e5f-6789-abcd-ef0123456789"] }
  }
  expect_failures = [var.grafana_access]
}

# --- role settings ------------------------------------------------------------------

run "rejects_role_arn_as_permissions_boundary" {
  command = plan
  variables { permissions_boundary_arn = "arn:aws:iam::123456789012:role/boundary" }
  expect_failures = [var.permissions_boundary_arn]
}

run "rejects_policy_name_as_permissions_boundary" {
  command = plan
  variables { permissions_boundary_arn = "lgtm-boundary" }
  expect_failures = [var.permissions_boundary_arn]
}

run "rejects_role_path_without_slashes" {
  command = plan
  variables { role_path = "lgtm" }
  expect_failures = [var.role_path]
}

run "rejects_role_path_with_empty_segment" {
  command = plan
  variables { role_path = "/lgtm//" }
  expect_failures = [var.role_path]
}

run "rejects_role_path_with_a_space" {
  command = plan
  variables { role_path = "/lgtm team/" }
  expect_failures = [var.role_path]
}

run "rejects_pod_identity_with_a_role_path" {
  command = plan
  variables {
    role_path = "/lgtm/"
    apps      = { loki = {}, tempo = { identity = "pod_identity" } }
  }
  expect_failures = [var.role_path]
}

run "rejects_session_duration_below_one_hour" {
  command = plan
  variables { max_session_duration = 3599 }
  expect_failures = [var.max_session_duration]
}

run "rejects_session_duration_above_twelve_hours" {
  command = plan
  variables { max_session_duration = 43201 }
  expect_failures = [var.max_session_duration]
}

run "rejects_fractional_session_duration" {
  command = plan
  variables { max_session_duration = 3600.5 }
  expect_failures = [var.max_session_duration]
}

run "rejects_tag_key_with_reserved_aws_prefix" {
  command = plan
  variables { tags = { "aws:owner" = "me" } }
  expect_failures = [var.tags]
}

run "rejects_tag_value_longer_than_256_characters" {
  command = plan
  variables { tags = { owner = "${join("", [for i in range(26) : "0123456789"])}" } }
  expect_failures = [var.tags]
}

run "rejects_more_than_50_tags" {
  command = plan
  variables { tags = { for i in range(51) : "tag${i}" => "v" } }
  expect_failures = [var.tags]
}

run "dynamodb_table_prefix_without_a_star_in_the_middle_is_rejected" {
  command = plan

  variables {
    name_prefix         = "obs"
    cluster_name        = "lgtm"
    dynamodb_table_arns = { loki = ["arn:aws:dynamodb:us-east-1:123456789012:table/obs-*-index"] }
  }

  expect_failures = [var.dynamodb_table_arns]
}

# --- clusters ----------------------------------------------------------------------

run "rejects_a_cluster_listed_twice_by_name" {
  command = plan
  variables {
    clusters = { a = { name = "lgtm-green" }, b = { name = "lgtm-green" } }
  }
  expect_failures = [var.clusters]
}

run "rejects_a_cluster_listed_twice_by_issuer" {
  command = plan
  variables {
    clusters = {
      a = { issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/SAME" }
      b = { oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/SAME" }
    }
  }
  expect_failures = [var.clusters]
}

run "rejects_the_first_cluster_listed_again_in_clusters" {
  command = plan
  variables {
    clusters = { green = { name = "lgtm" } }
  }
  expect_failures = [var.clusters]
}

run "rejects_a_clusters_key_equal_to_cluster_name" {
  command = plan
  variables {
    clusters = { lgtm = { issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/OTHER" } }
  }
  expect_failures = [var.clusters]
}

run "rejects_keys_that_give_the_same_statement_id" {
  command = plan
  variables {
    clusters = {
      blue-1 = { issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/ONE" }
      blue_1 = { issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/TWO" }
    }
  }
  expect_failures = [var.clusters]
}

run "rejects_an_issuer_that_is_not_https" {
  command = plan
  variables {
    clusters = { green = { issuer_url = "http://oidc.eks.us-east-1.amazonaws.com/id/GREEN" } }
  }
  expect_failures = [var.clusters]
}

run "rejects_a_subject_under_two_apps_across_clusters" {
  command = plan
  variables {
    clusters = { green = { name = "lgtm-green", workloads = { tempo = { namespace = "loki", service_accounts = ["loki"] } } } }
  }
  expect_failures = [var.clusters]
}

run "rejects_a_remote_cluster_given_only_by_name" {
  command = plan
  variables {
    clusters = { east = { name = "apps-east", account_id = "222222222222" } }
  }
  expect_failures = [var.clusters]
}

run "rejects_pod_identity_on_a_cluster_of_another_account" {
  command = plan
  variables {
    apps = { tempo = { identity = "pod_identity" } }
    clusters = {
      east = { name = "apps-east", account_id = "222222222222", issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/EAST" }
    }
  }
  expect_failures = [data.aws_caller_identity.current]
}

run "rejects_an_oidc_provider_of_another_account" {
  command = plan
  variables {
    clusters = { east = { oidc_provider_arn = "arn:aws:iam::222222222222:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EAST" } }
  }
  expect_failures = [data.aws_caller_identity.current]
}

run "rejects_pod_identity_on_a_cluster_without_a_name" {
  command = plan
  variables {
    apps     = { tempo = { identity = "pod_identity" } }
    clusters = { east = { issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/EAST" } }
  }
  expect_failures = [var.clusters]
}

run "rejects_a_cluster_with_no_apps" {
  command = plan
  variables {
    clusters = { green = { name = "lgtm-green", workloads = {} } }
  }
  expect_failures = [var.clusters]
}

run "rejects_a_cluster_app_without_a_role" {
  command = plan
  variables {
    apps     = { loki = {} }
    clusters = { green = { name = "lgtm-green", workloads = { mimir = {} } } }
  }
  expect_failures = [var.clusters]
}

run "rejects_an_app_no_cluster_runs" {
  command = plan
  variables {
    cluster_name = null
    apps         = { loki = {}, tempo = {} }
    clusters     = { green = { name = "lgtm-green", workloads = { loki = {} } } }
  }
  expect_failures = [aws_iam_role.this["tempo"]]
}

run "rejects_a_trust_policy_size_limit_below_iams_default" {
  command = plan
  variables { trust_policy_size_limit = 1024 }
  expect_failures = [var.trust_policy_size_limit]
}
