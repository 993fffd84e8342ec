# Every way to get an OIDC provider, Pod Identity per app, and the role settings.

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

variables {
  name_prefix = "obs"
}

# --- OIDC provider resolution --------------------------------------------------

run "oidc_provider_arn_given_is_used_without_any_lookup" {
  command = plan

  variables {
    oidc = { provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/GIVEN" }
  }

  assert {
    condition = alltrue([
      for app, role in aws_iam_role.this : jsondecode(role.assume_role_policy).Statement[0].Principal.Federated == "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/GIVEN"
    ])
    error_message = "The given provider ARN must be the Federated principal of every IRSA role."
  }

  assert {
    condition = alltrue([
      for app, role in aws_iam_role.this : toset(keys(jsondecode(role.assume_role_policy).Statement[0].Condition.StringEquals)) == toset([
        "oidc.eks.eu-west-1.amazonaws.com/id/GIVEN:sub", "oidc.eks.eu-west-1.amazonaws.com/id/GIVEN:aud",
      ])
    ])
    error_message = "The condition keys must be prefixed with the issuer host/path taken from the provider ARN."
  }

  assert {
    condition     = length(data.aws_eks_cluster.this) == 0 && length(data.aws_iam_openid_connect_provider.this) == 0 && length(aws_iam_openid_connect_provider.this) == 0
    error_message = "A given provider ARN must not trigger a cluster read, a provider lookup or a new provider."
  }

  assert {
    condition     = output.oidc_provider_arn == "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/GIVEN"
    error_message = "oidc_provider_arn must echo the given provider ARN."
  }
}

run "oidc_provider_arn_and_matching_issuer_url_are_accepted_together" {
  command = plan

  variables {
    oidc = {
      provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/GIVEN"
      issuer_url   = "https://oidc.eks.eu-west-1.amazonaws.com/id/GIVEN"
    }
  }

  assert {
    condition     = length(data.aws_iam_openid_connect_provider.this) == 0 && output.oidc_provider_arn == "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/GIVEN"
    error_message = "provider_arn must win over issuer_url: no lookup by URL."
  }
}

run "create_provider_from_issuer_url" {
  command = plan

  variables {
    oidc = {
      create_provider = true
      issuer_url      = "https://oidc.eks.eu-west-1.amazonaws.com/id/NEW"
    }
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.this) == 1 && aws_iam_openid_connect_provider.this[0].url == "https://oidc.eks.eu-west-1.amazonaws.com/id/NEW"
    error_message = "create_provider must create one provider from issuer_url."
  }

  assert {
    condition     = aws_iam_openid_connect_provider.this[0].client_id_list == toset(["sts.amazonaws.com"])
    error_message = "The created provider's only client ID must be sts.amazonaws.com."
  }

  assert {
    condition = alltrue([
      for app, role in aws_iam_role.this : jsondecode(role.assume_role_policy).Statement[0].Principal.Federated == aws_iam_openid_connect_provider.this[0].arn &&
      jsondecode(role.assume_role_policy).Statement[0].Condition.StringEquals["oidc.eks.eu-west-1.amazonaws.com/id/NEW:sub"] == ["system:serviceaccount:${app}:${app}"]
    ])
    error_message = "IRSA trust must name the created provider's ARN and use its issuer host/path as condition prefix."
  }

  assert {
    condition     = length(data.aws_eks_cluster.this) == 0 && length(data.aws_iam_openid_connect_provider.this) == 0
    error_message = "With issuer_url given, neither the cluster nor an existing provider may be read."
  }

  assert {
    condition     = output.oidc_provider_arn == "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/CREATED"
    error_message = "oidc_provider_arn must be the created provider's ARN."
  }
}

run "create_provider_from_cluster_issuer" {
  command = plan

  variables {
    cluster_name = "lgtm"
    oidc         = { create_provider = true }
  }

  assert {
    condition     = length(data.aws_eks_cluster.this) == 1 && aws_iam_openid_connect_provider.this[0].url == "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"
    error_message = "create_provider with only cluster_name must create the provider from the cluster's issuer."
  }

  assert {
    condition     = length(data.aws_iam_openid_connect_provider.this) == 0
    error_message = "When the provider is created, no existing provider may be looked up."
  }

  assert {
    condition = alltrue([
      for app, role in aws_iam_role.this : jsondecode(role.assume_role_policy).Statement[0].Principal.Federated == aws_iam_openid_connect_provider.this[0].arn
    ])
    error_message = "IRSA trust must name the created provider."
  }
}

run "create_provider_is_honoured_even_without_irsa_apps" {
  command = plan

  variables {
    cluster_name = "lgtm"
    apps         = { loki = { identity = "pod_identity" } }
    oidc         = { create_provider = true, issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE" }
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.this) == 1 && output.oidc_provider_arn == aws_iam_openid_connect_provider.this[0].arn
    error_message = "An explicit create_provider must create the provider even when no app uses IRSA."
  }
}

run "cluster_name_lookup_finds_existing_provider" {
  command = plan

  variables {
    cluster_name = "lgtm"
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.this) == 0 && length(data.aws_eks_cluster.this) == 1
    error_message = "cluster_name alone must read the cluster and create no provider."
  }

  assert {
    condition = alltrue([
      for app, role in aws_iam_role.this : jsondecode(role.assume_role_policy).Statement[0].Principal.Federated == data.aws_iam_openid_connect_provider.this[0].arn
    ])
    error_message = "IRSA trust must name the looked-up provider."
  }
}

run "issuer_url_alone_looks_up_existing_provider" {
  command = plan

  variables {
    oidc = { issuer_url = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE" }
  }

  assert {
    condition     = length(data.aws_eks_cluster.this) == 0 && data.aws_iam_openid_connect_provider.this[0].url == "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"
    error_message = "issuer_url alone must look the provider up by that URL without reading any cluster."
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.this) == 0 && output.oidc_provider_arn == data.aws_iam_openid_connect_provider.this[0].arn
    error_message = "issuer_url alone must not create a provider."
  }
}

# --- Service accounts and namespaces -------------------------------------------

run "extra_mimir_service_accounts_are_all_trusted_exactly" {
  command = plan

  variables {
    cluster_name = "lgtm"
    apps = {
      mimir = { namespace = "metrics", service_accounts = ["mimir", "mimir-ruler", "mimir-alertmanager"] }
      loki  = {}
    }
  }

  assert {
    condition = jsondecode(aws_iam_role.this["mimir"].assume_role_policy).Statement[0].Condition.StringEquals["oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub"] == [
      "system:serviceaccount:metrics:mimir", "system:serviceaccount:metrics:mimir-ruler", "system:serviceaccount:metrics:mimir-alertmanager",
    ]
    error_message = "Mimir's trust must list exactly its three service accounts in its namespace."
  }

  assert {
    condition     = output.roles.mimir.trust_subjects == ["system:serviceaccount:metrics:mimir", "system:serviceaccount:metrics:mimir-ruler", "system:serviceaccount:metrics:mimir-alertmanager"]
    error_message = "roles.mimir.trust_subjects must list the three subjects."
  }

  assert {
    condition     = jsondecode(aws_iam_role.this["loki"].assume_role_policy).Statement[0].Condition.StringEquals["oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub"] == ["system:serviceaccount:loki:loki"]
    error_message = "Mimir's extra accounts must not leak into Loki's trust."
  }

  assert {
    condition     = toset(keys(aws_iam_role.this)) == toset(["mimir", "loki"])
    error_message = "Only the listed apps may get a role."
  }
}

run "custom_namespace_and_service_account_with_dots" {
  command = plan

  variables {
    cluster_name = "lgtm"
    apps         = { loki = { namespace = "logging", service_accounts = ["obs-loki.v2"] } }
  }

  assert {
    condition     = output.roles.loki.namespace == "logging" && output.roles.loki.trust_subjects == ["system:serviceaccount:logging:obs-loki.v2"]
    error_message = "A custom namespace and a dotted service-account name must be used verbatim."
  }
}

# --- Pod Identity ----------------------------------------------------------------

run "pod_identity_for_one_app" {
  command = plan

  variables {
    cluster_name = "lgtm"
    apps = {
      mimir   = {}
      loki    = {}
      tempo   = { identity = "pod_identity", namespace = "tracing" }
      grafana = {}
    }
  }

  assert {
    condition = jsondecode(aws_iam_role.this["tempo"].assume_role_policy).Statement == [{
      Sid       = "AssumeFromEksPodIdentity"
      Effect    = "Allow"
      Principal = { Service = "pods.eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
      Condition = {
        StringEquals = { "aws:SourceAccount" = "123456789012" }
        ArnEquals    = { "aws:SourceArn" = "arn:aws:eks:us-east-1:123456789012:cluster/lgtm" }
      }
    }]
    error_message = "Tempo's Pod Identity trust must admit only pods.eks.amazonaws.com for this account's cluster."
  }

  assert {
    condition     = keys(aws_eks_pod_identity_association.this) == ["tempo/tracing/tempo"]
    error_message = "Exactly one association, keyed <app>/<namespace>/<sa>, must exist for Tempo."
  }

  assert {
    condition = (aws_eks_pod_identity_association.this["tempo/tracing/tempo"].cluster_name == "lgtm" &&
      aws_eks_pod_identity_association.this["tempo/tracing/tempo"].namespace == "tracing" &&
      aws_eks_pod_identity_association.this["tempo/tracing/tempo"].service_account == "tempo" &&
    aws_eks_pod_identity_association.this["tempo/tracing/tempo"].role_arn == "arn:aws:iam::123456789012:role/obs-tempo")
    error_message = "The association must bind cluster lgtm, namespace tracing, service account tempo to Tempo's role."
  }

  assert {
    condition     = output.roles.tempo.identity == "pod_identity" && length(output.roles.tempo.helm_annotations) == 0
    error_message = "A Pod Identity app must have no role-arn annotation."
  }

  assert {
    condition     = output.pod_identity_associations == { "tempo/tracing/tempo" = "arn:aws:eks:us-east-1:123456789012:podidentityassociation/lgtm/a-mocked" }
    error_message = "pod_identity_associations must map the association key to its ARN."
  }

  assert {
    condition     = alltrue([for app in ["mimir", "loki", "grafana"] : jsondecode(aws_iam_role.this[app].assume_role_policy).Statement[0].Action == "sts:AssumeRoleWithWebIdentity"])
    error_message = "The other apps must stay on IRSA."
  }

  assert {
    condition     = output.roles.loki.helm_annotations["eks.amazonaws.com/role-arn"] == "arn:aws:iam::123456789012:role/obs-loki"
    error_message = "IRSA apps must keep their annotation when another app uses Pod Identity."
  }
}

run "pod_identity_creates_one_association_per_service_account" {
  command = plan

  variables {
    cluster_name = "lgtm"
    apps         = { mimir = { identity = "pod_identity", service_accounts = ["mimir", "mimir-ruler", "mimir-alertmanager"] } }
  }

  assert {
    condition     = toset(keys(aws_eks_pod_identity_association.this)) == toset(["mimir/mimir/mimir", "mimir/mimir/mimir-ruler", "mimir/mimir/mimir-alertmanager"])
    error_message = "Each Mimir service account must get its own association."
  }

  assert {
    condition     = alltrue([for k, a in aws_eks_pod_identity_association.this : a.role_arn == "arn:aws:iam::123456789012:role/obs-mimir"])
    error_message = "Every Mimir association must point at Mimir's role."
  }
}

run "all_pod_identity_reads_no_oidc_source" {
  command = plan

  variables {
    cluster_name = "lgtm"
    apps = {
      mimir   = { identity = "pod_identity" }
      loki    = { identity = "pod_identity" }
      tempo   = { identity = "pod_identity" }
      grafana = { identity = "pod_identity" }
    }
  }

  assert {
    condition     = length(data.aws_eks_cluster.this) == 0 && length(data.aws_iam_openid_connect_provider.this) == 0 && length(aws_iam_openid_connect_provider.this) == 0
    error_message = "Without IRSA apps no OIDC source may be read or created."
  }

  assert {
    condition     = output.oidc_provider_arn == null
    error_message = "oidc_provider_arn must be null when no OIDC provider is used."
  }

  assert {
    condition     = length(aws_eks_pod_identity_association.this) == 4
    error_message = "Each app's default service account must get an association."
  }
}

# --- Role settings -----------------------------------------------------------------

run "permissions_boundary_is_set_on_every_role" {
  command = plan

  variables {
    cluster_name             = "lgtm"
    permissions_boundary_arn = "arn:aws:iam::123456789012:policy/boundaries/lgtm-boundary"
  }

  assert {
    condition     = alltrue([for app, role in aws_iam_role.this : role.permissions_boundary == "arn:aws:iam::123456789012:policy/boundaries/lgtm-boundary"])
    error_message = "Every role must carry the permissions boundary."
  }
}

run "role_path_is_set_on_every_irsa_role" {
  command = plan

  variables {
    cluster_name = "lgtm"
    role_path    = "/lgtm/observability/"
  }

  assert {
    condition     = alltrue([for app, role in aws_iam_role.this : role.path == "/lgtm/observability/"])
    error_message = "Every role must use role_path."
  }
}

run "max_session_duration_and_tags_are_applied" {
  command = plan

  variables {
    cluster_name         = "lgtm"
    max_session_duration = 43200
    tags                 = { team = "observability", env = "test" }
    apps                 = { loki = {}, tempo = { identity = "pod_identity" } }
    oidc                 = { create_provider = true }
  }

  assert {
    condition     = alltrue([for app, role in aws_iam_role.this : role.max_session_duration == 43200])
    error_message = "Every role must use max_session_duration."
  }

  assert {
    condition = alltrue(concat(
      [for app, role in aws_iam_role.this : role.tags == tomap({ team = "observability", env = "test" })],
      [aws_iam_openid_connect_provider.this[0].tags == tomap({ team = "observability", env = "test" })],
      [for k, a in aws_eks_pod_identity_association.this : a.tags == tomap({ team = "observability", env = "test" })],
    ))
    error_message = "Tags must reach every role, the OIDC provider and every association."
  }
}

run "longest_allowed_prefix_gives_a_64_character_role_name" {
  command = plan

  variables {
    cluster_name = "lgtm"
    name_prefix  = "p2345678901234567890123456789012345678901234567890123456"
  }

  assert {
    condition     = length(aws_iam_role.this["grafana"].name) == 64
    error_message = "A 56-character prefix must be accepted and give a 64-character Grafana role name."
  }
}

run "other_partitions_and_multi_region_keys_are_accepted" {
  command = plan

  variables {
    oidc = { provider_arn = "arn:aws-cn:iam::123456789012:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/CN" }
    apps = { loki = {} }
    storage = {
      loki = {
        bucket_arns  = ["arn:aws-cn:s3:::obs-loki-chunks"]
        kms_key_arns = ["arn:aws-cn:kms:cn-north-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"]
      }
    }
  }

  assert {
    condition     = jsondecode(aws_iam_role.this["loki"].assume_role_policy).Statement[0].Condition.StringEquals["oidc.eks.cn-north-1.amazonaws.com.cn/id/CN:aud"] == "sts.amazonaws.com"
    error_message = "The condition prefix must follow the given provider ARN in any partition."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.storage["loki"].policy).Statement[2].Resource == ["arn:aws-cn:kms:cn-north-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"]
    error_message = "A multi-Region key ARN must be granted as given."
  }
}
