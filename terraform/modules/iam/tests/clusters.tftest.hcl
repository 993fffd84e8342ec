# Several clusters: one IRSA trust statement per cluster's OIDC provider, Pod Identity
# across clusters of this account, clusters in other accounts, and the trust size limit.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

override_resource {
  target          = aws_iam_role.this["mimir"]
  override_during = plan
  values          = { arn = "arn:aws:iam::123456789012:role/obs-mimir" }
}

override_resource {
  target          = aws_iam_role.this["loki"]
  override_during = plan
  values          = { arn = "arn:aws:iam::123456789012:role/obs-loki" }
}

override_resource {
  target          = aws_iam_role.this["tempo"]
  override_during = plan
  values          = { arn = "arn:aws:iam::123456789012:role/obs-tempo" }
}

override_resource {
  target          = aws_iam_role.this["grafana"]
  override_during = plan
  values          = { arn = "arn:aws:iam::123456789012:role/obs-grafana" }
}

override_data {
  target = data.aws_eks_cluster.clusters["green"]
  values = {
    identity = [{ oidc = [{ issuer = "https://oidc.eks.us-east-1.amazonaws.com/id/GREEN" }] }]
  }
}

override_data {
  target = data.aws_iam_openid_connect_provider.clusters["green"]
  values = { arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/GREEN" }
}

variables {
  name_prefix  = "obs"
  cluster_name = "lgtm"
}

run "one_cluster_keeps_the_single_statement_it_always_had" {
  command = plan

  assert {
    condition = alltrue([
      for app, role in aws_iam_role.this : length(jsondecode(role.assume_role_policy).Statement) == 1 &&
      jsondecode(role.assume_role_policy).Statement[0].Sid == "AssumeFromServiceAccountsWithIrsa"
    ])
    error_message = "With one cluster every role must keep its one statement and its Sid, so upgrading changes no trust policy."
  }

  assert {
    condition     = keys(output.clusters) == ["lgtm"] && output.clusters.lgtm.apps.loki.trust_subjects == ["system:serviceaccount:loki:loki"]
    error_message = "The clusters output must describe the one cluster, keyed by its name."
  }
}

run "a_second_cluster_adds_a_statement_naming_its_own_provider" {
  command = plan

  variables {
    clusters = { green = { name = "lgtm-green" } }
  }

  assert {
    condition = alltrue([
      for app, role in aws_iam_role.this : [for s in jsondecode(role.assume_role_policy).Statement : s.Sid] == ["AssumeFromServiceAccountsWithIrsa", "AssumeFromServiceAccountsWithIrsagreen"]
    ])
    error_message = "Each role must have one statement per cluster, with unique Sids."
  }

  assert {
    condition = alltrue([
      for app, role in aws_iam_role.this : [for s in jsondecode(role.assume_role_policy).Statement : s.Principal.Federated] == [
        "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE",
        "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/GREEN",
      ]
    ])
    error_message = "Each statement must name its own cluster's provider."
  }

  assert {
    condition = jsondecode(aws_iam_role.this["loki"].assume_role_policy).Statement[1].Condition == {
      StringEquals = {
        "oidc.eks.us-east-1.amazonaws.com/id/GREEN:sub" = ["system:serviceaccount:loki:loki"]
        "oidc.eks.us-east-1.amazonaws.com/id/GREEN:aud" = "sts.amazonaws.com"
      }
    }
    error_message = "The second statement must pin sub and aud with StringEquals under the second issuer's keys, and nothing else."
  }

  assert {
    condition     = output.roles.loki.trust_subjects == ["system:serviceaccount:loki:loki"]
    error_message = "A subject both clusters use is listed once in the role's trust_subjects."
  }

  assert {
    condition     = toset(keys(output.clusters)) == toset(["lgtm", "green"]) && output.clusters.green.account_id == "123456789012" && output.clusters.green.arn == "arn:aws:eks:us-east-1:123456789012:cluster/lgtm-green"
    error_message = "The clusters output must hold both clusters, the second in this account with its ARN."
  }
}

run "a_cluster_running_some_apps_in_its_own_namespaces_is_trusted_for_exactly_those" {
  command = plan

  variables {
    clusters = {
      green = {
        name      = "lgtm-green"
        workloads = { mimir = { namespace = "metrics", service_accounts = ["mimir", "mimir-ruler"] } }
      }
    }
  }

  assert {
    condition = jsondecode(aws_iam_role.this["mimir"].assume_role_policy).Statement[1].Condition.StringEquals["oidc.eks.us-east-1.amazonaws.com/id/GREEN:sub"] == [
      "system:serviceaccount:metrics:mimir", "system:serviceaccount:metrics:mimir-ruler",
    ]
    error_message = "The cluster's statement must list exactly the service accounts it runs for mimir."
  }

  assert {
    condition     = alltrue([for app in ["loki", "tempo", "grafana"] : length(jsondecode(aws_iam_role.this[app].assume_role_policy).Statement) == 1])
    error_message = "Apps the cluster does not run must not trust it."
  }

  assert {
    condition     = output.roles.mimir.trust_subjects == ["system:serviceaccount:mimir:mimir", "system:serviceaccount:metrics:mimir", "system:serviceaccount:metrics:mimir-ruler"]
    error_message = "The role's trust_subjects must list every subject any cluster may present."
  }

  assert {
    condition     = keys(output.clusters.green.apps) == ["mimir"] && output.clusters.green.apps.mimir.namespace == "metrics"
    error_message = "The clusters output must say what the cluster runs, in its own namespace."
  }
}

run "a_cluster_in_another_account_is_registered_here_by_its_issuer" {
  command = plan

  variables {
    clusters = {
      apps-east = {
        account_id           = "222222222222"
        issuer_url           = "https://oidc.eks.eu-west-1.amazonaws.com/id/REMOTE"
        create_oidc_provider = true
        workloads            = { loki = {} }
      }
    }
  }

  assert {
    condition     = aws_iam_openid_connect_provider.clusters["apps-east"].url == "https://oidc.eks.eu-west-1.amazonaws.com/id/REMOTE" && aws_iam_openid_connect_provider.clusters["apps-east"].client_id_list == toset(["sts.amazonaws.com"])
    error_message = "The remote issuer must be registered in this account with the STS audience."
  }

  assert {
    condition     = jsondecode(aws_iam_role.this["loki"].assume_role_policy).Statement[1].Principal.Federated == "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/REMOTE"
    error_message = "The role must trust the provider registered in its own account, never one of the remote account."
  }

  assert {
    condition     = output.clusters.apps-east.account_id == "222222222222" && output.clusters.apps-east.oidc_provider_arn == "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/REMOTE"
    error_message = "The clusters output must give the remote account and the provider registered here."
  }

  assert {
    condition     = output.clusters.apps-east.apps.loki.helm_annotations["eks.amazonaws.com/role-arn"] == "arn:aws:iam::123456789012:role/obs-loki"
    error_message = "The remote cluster's service account must be annotated with the role in this account."
  }
}

run "clusters_alone_without_a_first_cluster" {
  command = plan

  variables {
    cluster_name = null
    clusters = {
      blue  = { oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/BLUE" }
      green = { name = "lgtm-green" }
    }
  }

  assert {
    condition     = toset(keys(output.clusters)) == toset(["blue", "green"]) && output.cluster_arn == null
    error_message = "Without cluster_name only the listed clusters exist."
  }

  assert {
    condition = alltrue([
      for app, role in aws_iam_role.this : [for s in jsondecode(role.assume_role_policy).Statement : s.Sid] == ["AssumeFromServiceAccountsWithIrsablue", "AssumeFromServiceAccountsWithIrsagreen"]
    ])
    error_message = "Each listed cluster must get its statement."
  }

  assert {
    condition     = length(data.aws_eks_cluster.this) == 0 && length(data.aws_eks_cluster.clusters) == 1 && length(data.aws_iam_openid_connect_provider.clusters) == 1
    error_message = "A given provider ARN must not be looked up; a named cluster's issuer is read once."
  }
}

run "pod_identity_trusts_every_cluster_of_this_account_in_one_statement" {
  command = plan

  variables {
    apps     = { tempo = { identity = "pod_identity" } }
    clusters = { green = { name = "lgtm-green" } }
  }

  assert {
    condition = jsondecode(aws_iam_role.this["tempo"].assume_role_policy).Statement[0].Condition.ArnEquals["aws:SourceArn"] == [
      "arn:aws:eks:us-east-1:123456789012:cluster/lgtm",
      "arn:aws:eks:us-east-1:123456789012:cluster/lgtm-green",
    ]
    error_message = "The Pod Identity statement must pin aws:SourceArn to both clusters."
  }

  assert {
    condition     = toset(keys(aws_eks_pod_identity_association.this)) == toset(["tempo/tempo/tempo", "green/tempo/tempo/tempo"])
    error_message = "Each cluster must get its association; the first keeps its address."
  }

  assert {
    condition     = aws_eks_pod_identity_association.this["green/tempo/tempo/tempo"].cluster_name == "lgtm-green"
    error_message = "The second association must be made on the second cluster."
  }

  assert {
    condition     = length(data.aws_eks_cluster.clusters) == 0
    error_message = "A Pod Identity cluster needs no issuer."
  }
}

run "pod_identity_with_one_cluster_keeps_its_source_arn_a_string" {
  command = plan

  variables {
    apps = { tempo = { identity = "pod_identity" } }
  }

  assert {
    condition     = jsondecode(aws_iam_role.this["tempo"].assume_role_policy).Statement[0].Condition.ArnEquals["aws:SourceArn"] == "arn:aws:eks:us-east-1:123456789012:cluster/lgtm"
    error_message = "With one cluster the trust policy must stay as it was."
  }
}

# --- size: IAM's default trust policy quota is 2,048 characters ----------------------

run "four_clusters_with_one_service_account_fit_the_default_quota" {
  command = plan

  variables {
    cluster_name = null
    apps         = { loki = {} }
    clusters = {
      blue0 = { issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCD00", create_oidc_provider = true }
      blue1 = { issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCD01", create_oidc_provider = true }
      blue2 = { issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCD02", create_oidc_provider = true }
      blue3 = { issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCD03", create_oidc_provider = true }
    }
  }

  assert {
    condition     = output.trust_policy_sizes.loki == 1962 && length(aws_iam_role.this["loki"].assume_role_policy) == 1962
    error_message = "Four EKS issuers with one service account each must give a 1,962-character trust policy (docs/topology.md)."
  }
}

run "a_fifth_cluster_is_refused_at_plan_time" {
  command = plan

  variables {
    cluster_name = null
    apps         = { loki = {} }
    clusters = {
      blue0 = { issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCD00", create_oidc_provider = true }
      blue1 = { issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCD01", create_oidc_provider = true }
      blue2 = { issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCD02", create_oidc_provider = true }
      blue3 = { issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCD03", create_oidc_provider = true }
      blue4 = { issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCD04", create_oidc_provider = true }
    }
  }

  expect_failures = [aws_iam_role.this["loki"]]
}

run "a_raised_quota_admits_the_fifth_cluster" {
  command = plan

  variables {
    cluster_name            = null
    apps                    = { loki = {} }
    trust_policy_size_limit = 4096
    clusters = {
      blue0 = { issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCD00", create_oidc_provider = true }
      blue1 = { issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCD01", create_oidc_provider = true }
      blue2 = { issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCD02", create_oidc_provider = true }
      blue3 = { issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCD03", create_oidc_provider = true }
      blue4 = { issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCD04", create_oidc_provider = true }
    }
  }

  assert {
    condition     = output.trust_policy_sizes.loki == 2443
    error_message = "Five issuers must give 2,443 characters, accepted under a raised limit."
  }
}
