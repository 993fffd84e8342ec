# Several clusters and cross-region replication, as the stack wires them and publishes them in
# the stack contract (version 3).

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

mock_provider "aws" {
  alias           = "replica"
  source          = "./tests/mocks-replica"
  override_during = plan
}

variables {
  environment      = "prod"
  eks_cluster_name = "lgtm"
}

run "the_quick_start_has_one_cluster_and_no_replication" {
  command = plan

  assert {
    condition     = keys(output.clusters) == ["lgtm"] && output.replication == null && length(module.replica) == 0
    error_message = "eks_cluster_name alone must give one cluster and no replica."
  }
}

run "a_second_cluster_in_another_account_is_published_in_the_contract" {
  command = plan

  variables {
    clusters = {
      apps-east = {
        account_id           = "222222222222"
        issuer_url           = "https://oidc.eks.us-east-1.amazonaws.com/id/EAST"
        create_oidc_provider = true
        workloads            = { loki = { namespace = "logging" } }
      }
    }
  }

  assert {
    condition     = toset(keys(output.clusters)) == toset(["lgtm", "apps-east"]) && output.clusters.apps-east.account_id == "222222222222" && keys(output.clusters.apps-east.apps) == ["loki"]
    error_message = "The contract must list both clusters, the remote one with its account and apps."
  }

  assert {
    condition     = output.roles.loki.trust_subjects == ["system:serviceaccount:loki:loki", "system:serviceaccount:logging:loki"]
    error_message = "Loki's role must trust both clusters' subjects."
  }

  assert {
    condition     = output.cluster.name == "lgtm"
    error_message = "cluster stays the first cluster."
  }
}

run "clusters_alone_leave_the_first_cluster_null" {
  command = plan

  variables {
    eks_cluster_name = null
    clusters = {
      blue  = { oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/BLUE" }
      green = { oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/GREEN" }
    }
  }

  assert {
    condition     = output.cluster.name == null && output.cluster.arn == null && toset(keys(output.clusters)) == toset(["blue", "green"])
    error_message = "Without eks_cluster_name the first cluster is null and clusters lists both."
  }
}

run "replication_adds_replicas_in_the_second_region" {
  command = plan

  variables {
    replication = { enabled = true }
  }

  assert {
    condition     = output.replication.region == "us-west-2" && output.replication.delete_marker_replication
    error_message = "The contract must publish the replica region."
  }

  assert {
    condition     = toset(flatten([for app, stores in output.replication.buckets : [for store, b in stores : b.name]])) == toset(flatten([for app, stores in output.buckets : [for store, b in stores : "${b.name}-replica"]]))
    error_message = "Every telemetry bucket must have its replica."
  }

  assert {
    condition     = alltrue(flatten([for app, stores in output.replication.buckets : [for store, b in stores : jsonencode(b.lifecycle_rules) == jsonencode(output.buckets[app][store].lifecycle_rules)]]))
    error_message = "Every replica must keep its source's lifecycle rules."
  }

  assert {
    condition     = length(module.replica[0].replication.kms_keys) == 3
    error_message = "The per-app key strategy must give one replica key per app."
  }
}

run "rejects_no_cluster_at_all" {
  command = plan
  variables {
    eks_cluster_name = null
  }
  expect_failures = [var.clusters]
}

run "rejects_eks_cluster_name_listed_again_in_clusters" {
  command = plan
  variables {
    clusters = { blue = { name = "lgtm" } }
  }
  expect_failures = [var.clusters]
}

run "the_audit_trail_records_the_replicas_too" {
  command = plan

  variables {
    replication    = { enabled = true }
    access_logging = { enabled = true }
    audit_trail    = { enabled = true }
  }

  assert {
    condition = alltrue(flatten([
      for app, stores in output.replication.buckets : [
        for store, b in stores : contains(flatten([for s in aws_cloudtrail.this[0].event_selector : [for d in s.data_resource : d.values]]), "${b.arn}/")
      ]
    ]))
    error_message = "The trail's data-event selectors must name every replica bucket."
  }
}
