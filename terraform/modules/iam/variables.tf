##############################################################################
# Naming
##############################################################################

variable "name_prefix" {
  description = "Prefix of every role name: each role is named \"<name_prefix>-<app>\", for example \"obs-dev-loki\"."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]+$", var.name_prefix))
    error_message = "name_prefix is ${jsonencode(var.name_prefix)}: IAM role names allow only letters, digits and the characters +=,.@_- (and the prefix cannot be empty)."
  }

  validation {
    condition     = length("${var.name_prefix}-grafana") <= 64
    error_message = "name_prefix ${jsonencode(var.name_prefix)} makes the role name \"${var.name_prefix}-grafana\" ${length("${var.name_prefix}-grafana")} characters long, over the IAM limit of 64."
  }
}

##############################################################################
# Applications and their Kubernetes service accounts
##############################################################################

variable "apps" {
  description = <<-EOT
    Applications that get a role, keyed by app name (mimir, loki, tempo, grafana). Per app:
    namespace (default: the app name), service_accounts (default: [app name], the charts'
    default service-account names; Mimir may add e.g. "mimir-ruler", "mimir-alertmanager")
    and identity ("irsa", the default, or "pod_identity" for EKS Pod Identity).
  EOT
  type = map(object({
    namespace        = optional(string)
    service_accounts = optional(list(string))
    identity         = optional(string, "irsa")
  }))
  nullable = false
  default = {
    mimir   = {}
    loki    = {}
    tempo   = {}
    grafana = {}
  }

  validation {
    condition     = alltrue([for app in keys(var.apps) : contains(["mimir", "loki", "tempo", "grafana"], app)])
    error_message = "apps has the unknown app name ${join(", ", [for app in keys(var.apps) : jsonencode(app) if !contains(["mimir", "loki", "tempo", "grafana"], app)])}: allowed keys are mimir, loki, tempo and grafana."
  }

  validation {
    condition     = alltrue([for app, cfg in var.apps : contains(["irsa", "pod_identity"], cfg.identity)])
    error_message = "${join(", ", [for app, cfg in var.apps : "apps.${app}.identity is ${jsonencode(cfg.identity)}" if !contains(["irsa", "pod_identity"], cfg.identity)])}: identity must be \"irsa\" or \"pod_identity\"."
  }

  validation {
    condition     = alltrue([for app, cfg in var.apps : !can(regex("[*?]", cfg.namespace))])
    error_message = "${join(", ", [for app, cfg in var.apps : "apps.${app}.namespace is ${jsonencode(cfg.namespace)}" if can(regex("[*?]", cfg.namespace))])}: namespaces cannot contain wildcards."
  }

  validation {
    # Wildcards are reported by the rule above, so this rule skips them.
    condition = alltrue([
      for app, cfg in var.apps : cfg.namespace == null || can(regex("[*?]", cfg.namespace)) || (
        can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", cfg.namespace)) && try(length(cfg.namespace) <= 63, false)
      )
    ])
    error_message = "${join(", ", [
      for app, cfg in var.apps : "apps.${app}.namespace is ${jsonencode(cfg.namespace)}" if !(cfg.namespace == null || can(regex("[*?]", cfg.namespace)) || (
        can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", cfg.namespace)) && try(length(cfg.namespace) <= 63, false)
      ))
    ])}: a namespace must be a DNS-1123 label (at most 63 characters of a-z, 0-9 and \"-\", starting and ending with a letter or digit)."
  }

  validation {
    condition     = alltrue([for app, cfg in var.apps : cfg.service_accounts == null || try(length(cfg.service_accounts) > 0, false)])
    error_message = "${join(", ", [for app, cfg in var.apps : "apps.${app}.service_accounts" if !(cfg.service_accounts == null || try(length(cfg.service_accounts) > 0, false))])} is empty: list at least one service account, or leave it unset to use the app name."
  }

  validation {
    condition     = alltrue(flatten([for app, cfg in var.apps : [for sa in coalesce(cfg.service_accounts, [app]) : !can(regex("[*?]", sa))]]))
    error_message = "${join(", ", flatten([for app, cfg in var.apps : [for sa in coalesce(cfg.service_accounts, [app]) : "apps.${app}.service_accounts contains ${jsonencode(sa)}" if can(regex("[*?]", sa))]]))}: service-account names cannot contain wildcards."
  }

  validation {
    # Every pod of a namespace runs as "default" unless it names another account, so trusting
    # it gives the role to whatever runs there without asking.
    condition     = alltrue(flatten([for app, cfg in var.apps : [for sa in coalesce(cfg.service_accounts, [app]) : sa != "default"]]))
    error_message = "${join(", ", [for app, cfg in var.apps : "apps.${app}.service_accounts" if contains(coalesce(cfg.service_accounts, [app]), "default")])} lists \"default\": every pod of the namespace that names no service account runs as it, so the role would go to any of them. Give the chart its own service account."
  }

  validation {
    # Wildcards are reported by the rule above, so this rule skips them.
    condition = alltrue(flatten([
      for app, cfg in var.apps : [
        for sa in coalesce(cfg.service_accounts, [app]) : can(regex("[*?]", sa)) || (
          can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", sa)) && try(length(sa) <= 253, false)
        )
      ]
    ]))
    error_message = "${join(", ", flatten([
      for app, cfg in var.apps : [
        for sa in coalesce(cfg.service_accounts, [app]) : "apps.${app}.service_accounts contains ${jsonencode(sa)}" if !(can(regex("[*?]", sa)) || (
          can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", sa)) && try(length(sa) <= 253, false)
        ))
      ]
    ]))}: a service-account name must be a DNS-1123 subdomain (at most 253 characters of a-z, 0-9, \"-\" and \".\", each part starting and ending with a letter or digit)."
  }

  validation {
    condition     = alltrue([for app, cfg in var.apps : length(distinct(coalesce(cfg.service_accounts, [app]))) == length(coalesce(cfg.service_accounts, [app]))])
    error_message = "${join(", ", [for app, cfg in var.apps : "apps.${app}.service_accounts is ${jsonencode(cfg.service_accounts)}" if length(distinct(coalesce(cfg.service_accounts, [app]))) != length(coalesce(cfg.service_accounts, [app]))])}: each service account may be listed only once."
  }

  validation {
    # A service account can be annotated with, or associated to, only one role.
    condition = length(flatten([
      for app, cfg in var.apps : [for sa in distinct(coalesce(cfg.service_accounts, [app])) : "${coalesce(cfg.namespace, app)}/${sa}"]
      ])) == length(distinct(flatten([
        for app, cfg in var.apps : [for sa in distinct(coalesce(cfg.service_accounts, [app])) : "${coalesce(cfg.namespace, app)}/${sa}"]
    ])))
    error_message = "${join(", ", distinct(flatten([
      for app, cfg in var.apps : [
        for sa in coalesce(cfg.service_accounts, [app]) : "service account ${jsonencode(sa)} in namespace ${jsonencode(coalesce(cfg.namespace, app))} is listed by ${join(" and ", sort([
          for other, ocfg in var.apps : "apps.${other}" if contains(coalesce(ocfg.service_accounts, [other]), sa) && coalesce(ocfg.namespace, other) == coalesce(cfg.namespace, app)
        ]))}" if length([for other, ocfg in var.apps : other if contains(coalesce(ocfg.service_accounts, [other]), sa) && coalesce(ocfg.namespace, other) == coalesce(cfg.namespace, app)]) > 1
      ]
    ])))}: a service account can use only one role, so each namespace/service-account pair must belong to one app."
  }
}

##############################################################################
# Storage (shape of the s3-kms module's `iam_storage` output)
##############################################################################

variable "storage" {
  description = "Buckets and KMS keys each app reads and writes, keyed by app (mimir, loki, tempo): exactly the s3-kms module's `iam_storage` output. Bucket ARNs are arn:<partition>:s3:::<name>; KMS ARNs must be key ARNs (key/<id>), never alias ARNs. An empty kms_key_arns list means the buckets use SSE-S3 and no KMS permission is granted. Every key must also be an app in `apps`."
  type = map(object({
    bucket_arns  = list(string)
    kms_key_arns = list(string)
  }))
  nullable = false
  default  = {}

  validation {
    condition     = alltrue([for app in keys(var.storage) : contains(["mimir", "loki", "tempo"], app)])
    error_message = "storage has the key ${join(", ", [for app in keys(var.storage) : jsonencode(app) if !contains(["mimir", "loki", "tempo"], app)])}: only mimir, loki and tempo keep data in S3 (Grafana queries them over HTTP and needs no S3 or KMS access)."
  }

  validation {
    condition     = alltrue([for app in keys(var.storage) : !contains(["mimir", "loki", "tempo"], app) || contains(keys(var.apps), app)])
    error_message = "${join(", ", [for app in keys(var.storage) : "storage.${app}" if contains(["mimir", "loki", "tempo"], app) && !contains(keys(var.apps), app)])} is set but apps has no such entry: add the app to apps or drop its storage, so no bucket is left without a role."
  }

  validation {
    condition     = alltrue([for app, s in var.storage : try(length(s.bucket_arns) > 0, false)])
    error_message = "${join(", ", [for app, s in var.storage : "storage.${app}.bucket_arns" if !try(length(s.bucket_arns) > 0, false)])} is empty: each app in storage needs at least one bucket ARN."
  }

  validation {
    condition = alltrue(flatten([
      for app, s in var.storage : [
        for arn in coalesce(s.bucket_arns, []) : can(regex("^arn:aws(-[a-z]+)*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", arn))
      ]
    ]))
    error_message = "${join(", ", flatten([
      for app, s in var.storage : [
        for arn in coalesce(s.bucket_arns, []) : "storage.${app}.bucket_arns contains ${jsonencode(arn)}" if !can(regex("^arn:aws(-[a-z]+)*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", arn))
      ]
    ]))}: a bucket ARN must look like arn:<partition>:s3:::<bucket-name> (no object path)."
  }

  validation {
    condition = alltrue(flatten([
      for app, s in var.storage : [for arn in coalesce(s.kms_key_arns, []) : !can(regex("^arn:aws(-[a-z]+)*:kms:[^:]*:[^:]*:alias/", arn))]
    ]))
    error_message = "${join(", ", flatten([
      for app, s in var.storage : [for arn in coalesce(s.kms_key_arns, []) : "storage.${app}.kms_key_arns contains the alias ARN ${jsonencode(arn)}" if can(regex("^arn:aws(-[a-z]+)*:kms:[^:]*:[^:]*:alias/", arn))]
    ]))}: IAM matches KMS permissions against the key ARN (arn:<partition>:kms:<region>:<account>:key/<key-id>), so pass the key ARN instead."
  }

  validation {
    # Alias ARNs are reported by the rule above, so this rule skips them.
    condition = alltrue(flatten([
      for app, s in var.storage : [
        for arn in coalesce(s.kms_key_arns, []) : can(regex("^arn:aws(-[a-z]+)*:kms:[^:]*:[^:]*:alias/", arn)) || can(regex(
          "^arn:aws(-[a-z]+)*:kms:[a-z]{2}(-[a-z]+)+-[0-9]{1,2}:[0-9]{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", arn
        ))
      ]
    ]))
    error_message = "${join(", ", flatten([
      for app, s in var.storage : [
        for arn in coalesce(s.kms_key_arns, []) : "storage.${app}.kms_key_arns contains ${jsonencode(arn)}" if !(can(regex("^arn:aws(-[a-z]+)*:kms:[^:]*:[^:]*:alias/", arn)) || can(regex(
          "^arn:aws(-[a-z]+)*:kms:[a-z]{2}(-[a-z]+)+-[0-9]{1,2}:[0-9]{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", arn
        )))
      ]
    ]))}: a KMS key ARN must look like arn:<partition>:kms:<region>:<12-digit account>:key/<key-id or mrk-id>."
  }
}

variable "dynamodb_table_arns" {
  description = "Legacy DynamoDB index tables per app (Loki 3.x with store aws/aws-dynamo only), as table ARNs or, for periodic tables, one ARN ending in the table-name prefix and `*`. Only the `loki` key grants anything; a `mimir` (or `tempo`) key is accepted but grants nothing, because those apps never read DynamoDB. Tables for `loki` require a `loki` entry in `apps`."
  type        = map(list(string))
  nullable    = false
  default     = {}

  validation {
    condition     = alltrue([for app in keys(var.dynamodb_table_arns) : contains(["mimir", "loki", "tempo", "grafana"], app)])
    error_message = "dynamodb_table_arns has the unknown app name ${join(", ", [for app in keys(var.dynamodb_table_arns) : jsonencode(app) if !contains(["mimir", "loki", "tempo", "grafana"], app)])}: allowed keys are mimir, loki, tempo and grafana (only loki grants anything)."
  }

  validation {
    condition = alltrue(flatten([
      for app, arns in var.dynamodb_table_arns : [
        for arn in coalesce(arns, []) : can(regex("^arn:aws(-[a-z]+)*:dynamodb:[a-z]{2}(-[a-z]+)+-[0-9]{1,2}:[0-9]{12}:table/([A-Za-z0-9_.-]{3,255}|[A-Za-z0-9_.-]{1,254}[*])$", arn))
      ]
    ]))
    error_message = "${join(", ", flatten([
      for app, arns in var.dynamodb_table_arns : [
        for arn in coalesce(arns, []) : "dynamodb_table_arns.${app} contains ${jsonencode(arn)}" if !can(regex("^arn:aws(-[a-z]+)*:dynamodb:[a-z]{2}(-[a-z]+)+-[0-9]{1,2}:[0-9]{12}:table/([A-Za-z0-9_.-]{3,255}|[A-Za-z0-9_.-]{1,254}[*])$", arn))
      ]
    ]))}: a DynamoDB table ARN must look like arn:<partition>:dynamodb:<region>:<12-digit account>:table/<table-name> (or table/<name-prefix>* for periodic tables)."
  }

  validation {
    condition     = length(coalesce(lookup(var.dynamodb_table_arns, "loki", []), [])) == 0 || contains(keys(var.apps), "loki")
    error_message = "dynamodb_table_arns.loki lists tables but apps has no \"loki\" entry: add loki to apps or drop its tables."
  }
}

##############################################################################
# Identity sources: OIDC for IRSA, the cluster for Pod Identity
##############################################################################

variable "cluster_name" {
  description = "Name of the EKS cluster. Required by Pod Identity apps; for IRSA apps it is the fallback OIDC source (its issuer is read from the cluster) when oidc.provider_arn and oidc.issuer_url are not set."
  type        = string
  default     = null

  validation {
    condition     = var.cluster_name == null || can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", var.cluster_name))
    error_message = "cluster_name is ${jsonencode(var.cluster_name)}: an EKS cluster name has 1 to 100 letters, digits, hyphens and underscores and starts with a letter or digit."
  }

}

variable "oidc" {
  description = <<-EOT
    OIDC source for IRSA apps, resolved in this order: provider_arn (an existing IAM OIDC provider);
    create_provider = true (creates the provider from issuer_url, or from the issuer of cluster_name);
    issuer_url (looks up the existing provider by URL); cluster_name alone (reads the cluster's issuer
    and looks up the existing provider). Ignored when no app uses IRSA, except create_provider.
  EOT
  type = object({
    provider_arn    = optional(string)
    issuer_url      = optional(string)
    create_provider = optional(bool, false)
  })
  nullable = false
  default  = {}

  validation {
    condition     = var.oidc.provider_arn == null || can(regex("^arn:aws(-[a-z]+)*:iam::[0-9]{12}:oidc-provider/[A-Za-z0-9.-]+(/[A-Za-z0-9._~-]+)*$", var.oidc.provider_arn))
    error_message = "oidc.provider_arn is ${jsonencode(var.oidc.provider_arn)}: an OIDC provider ARN must look like arn:<partition>:iam::<12-digit account>:oidc-provider/<issuer host and path>."
  }

  validation {
    condition     = var.oidc.issuer_url == null || can(regex("^https://[A-Za-z0-9.-]+(/[A-Za-z0-9._~-]+)*/?$", var.oidc.issuer_url))
    error_message = "oidc.issuer_url is ${jsonencode(var.oidc.issuer_url)}: the issuer URL must start with https:// followed by a host name and an optional path."
  }

  validation {
    condition     = !(var.oidc.provider_arn != null && var.oidc.create_provider == true)
    error_message = "oidc.provider_arn is set and oidc.create_provider is true: choose one, either use the existing provider or create a new one."
  }

  validation {
    condition     = var.oidc.create_provider != true || var.oidc.issuer_url != null || var.cluster_name != null
    error_message = "oidc.create_provider is true but neither oidc.issuer_url nor cluster_name is set, so there is no issuer to create the provider from."
  }

  validation {
    condition = (var.oidc.provider_arn == null || var.oidc.issuer_url == null ||
      try(split("oidc-provider/", var.oidc.provider_arn)[1] == trimsuffix(trimprefix(var.oidc.issuer_url, "https://"), "/"), false)
    )
    error_message = "oidc.provider_arn ${jsonencode(var.oidc.provider_arn)} does not belong to oidc.issuer_url ${jsonencode(var.oidc.issuer_url)}: the part after \"oidc-provider/\" must equal the issuer URL without https://."
  }

}

##############################################################################
# Further clusters (blue/green, several regions, other accounts)
##############################################################################

variable "clusters" {
  description = <<-EOT
    Further EKS clusters whose service accounts assume the same roles, keyed by a name of your
    choice (the cluster's EKS name is the natural key; keys also name each cluster's trust
    statement and Pod Identity associations). cluster_name and oidc above describe the first
    cluster; leave them unset to list every cluster here. Per cluster: name (EKS cluster name),
    account_id (where the cluster runs; null: this account), and its OIDC source for IRSA apps:
    oidc_provider_arn (a provider already registered in this account), or issuer_url with
    create_oidc_provider = true (registers it here), or issuer_url alone (looks the provider up
    here), or name alone (this account only: reads the issuer from the cluster). A cluster in
    another account always reaches the roles through its issuer registered in this account.
    workloads (default: every app in `apps`) lists the apps the cluster runs, each with its
    namespace and service_accounts (default: the app's own in `apps`). Whether an app uses IRSA or Pod
    Identity stays a property of its role (`apps.<app>.identity`).
  EOT
  type = map(object({
    name                 = optional(string)
    account_id           = optional(string)
    issuer_url           = optional(string)
    oidc_provider_arn    = optional(string)
    create_oidc_provider = optional(bool, false)
    workloads = optional(map(object({
      namespace        = optional(string)
      service_accounts = optional(list(string))
    })))
  }))
  nullable = false
  default  = {}

  # These two belong to cluster_name and oidc, but name clusters too (and a variable's rules may
  # not refer to each other in a cycle).
  validation {
    condition     = var.cluster_name != null || length(var.clusters) > 0 || alltrue([for app, cfg in var.apps : cfg.identity != "pod_identity"])
    error_message = "cluster_name is null but pod_identity is used by ${join(", ", [for app, cfg in var.apps : "apps.${app}" if cfg.identity == "pod_identity"])}, and Pod Identity associations need the EKS cluster name."
  }

  validation {
    condition = (alltrue([for app, cfg in var.apps : cfg.identity != "irsa"]) || length(var.clusters) > 0 ||
      var.oidc.provider_arn != null || var.oidc.issuer_url != null || var.oidc.create_provider == true || var.cluster_name != null
    )
    error_message = "IRSA is used by ${join(", ", [for app, cfg in var.apps : "apps.${app}" if cfg.identity == "irsa"])} but no OIDC source is set: give oidc.provider_arn, oidc.issuer_url, oidc.create_provider = true, cluster_name or clusters."
  }

  validation {
    condition     = alltrue([for key in keys(var.clusters) : can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", key))])
    error_message = "${join(", ", [for key in keys(var.clusters) : "clusters key ${jsonencode(key)}" if !can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", key))])} is not a valid cluster key: use 1 to 100 letters, digits, hyphens and underscores, starting with a letter or digit (the cluster's EKS name is the natural key)."
  }

  validation {
    # Keys name each cluster's trust statement (a Sid takes letters and digits only).
    condition     = length(distinct([for key in keys(var.clusters) : lower(replace(key, "/[^A-Za-z0-9]/", ""))])) == length(var.clusters)
    error_message = "clusters has keys that differ only in case, hyphens or underscores (${join(", ", [for key in keys(var.clusters) : jsonencode(key) if length([for other in keys(var.clusters) : other if lower(replace(other, "/[^A-Za-z0-9]/", "")) == lower(replace(key, "/[^A-Za-z0-9]/", ""))]) > 1])}): each key names its cluster's trust statement, so keys must stay distinct without them."
  }

  validation {
    # The first cluster (cluster_name, or oidc alone: "default") holds its own key.
    condition = !contains(keys(var.clusters), coalesce(var.cluster_name, "default")) || (
      var.cluster_name == null && var.oidc.provider_arn == null && var.oidc.issuer_url == null && !var.oidc.create_provider
    )
    error_message = "clusters has the key ${jsonencode(coalesce(var.cluster_name, "default"))}, which names the first cluster (cluster_name and oidc): a cluster is listed once, either there or in clusters under a key of its own."
  }

  validation {
    condition     = alltrue([for key, c in var.clusters : c.name == null || can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", c.name))])
    error_message = "${join(", ", [for key, c in var.clusters : "clusters.${key}.name is ${jsonencode(c.name)}" if !(c.name == null || can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", c.name)))])}: an EKS cluster name has 1 to 100 letters, digits, hyphens and underscores and starts with a letter or digit."
  }

  validation {
    condition     = alltrue([for key, c in var.clusters : c.account_id == null || can(regex("^[0-9]{12}$", c.account_id))])
    error_message = "${join(", ", [for key, c in var.clusters : "clusters.${key}.account_id is ${jsonencode(c.account_id)}" if !(c.account_id == null || can(regex("^[0-9]{12}$", c.account_id)))])}: an AWS account ID has exactly 12 digits."
  }

  validation {
    condition     = alltrue([for key, c in var.clusters : c.issuer_url == null || can(regex("^https://[A-Za-z0-9.-]+(/[A-Za-z0-9._~-]+)*/?$", c.issuer_url))])
    error_message = "${join(", ", [for key, c in var.clusters : "clusters.${key}.issuer_url is ${jsonencode(c.issuer_url)}" if !(c.issuer_url == null || can(regex("^https://[A-Za-z0-9.-]+(/[A-Za-z0-9._~-]+)*/?$", c.issuer_url)))])}: an OIDC issuer URL must start with https:// followed by a host name and an optional path (STS fetches the issuer's keys over TLS only)."
  }

  validation {
    condition     = alltrue([for key, c in var.clusters : c.oidc_provider_arn == null || can(regex("^arn:aws(-[a-z]+)*:iam::[0-9]{12}:oidc-provider/[A-Za-z0-9.-]+(/[A-Za-z0-9._~-]+)*$", c.oidc_provider_arn))])
    error_message = "${join(", ", [for key, c in var.clusters : "clusters.${key}.oidc_provider_arn is ${jsonencode(c.oidc_provider_arn)}" if !(c.oidc_provider_arn == null || can(regex("^arn:aws(-[a-z]+)*:iam::[0-9]{12}:oidc-provider/[A-Za-z0-9.-]+(/[A-Za-z0-9._~-]+)*$", c.oidc_provider_arn)))])}: an OIDC provider ARN must look like arn:<partition>:iam::<12-digit account>:oidc-provider/<issuer host and path>."
  }

  validation {
    condition     = alltrue([for key, c in var.clusters : !(c.oidc_provider_arn != null && c.create_oidc_provider)])
    error_message = "${join(", ", [for key, c in var.clusters : "clusters.${key}" if c.oidc_provider_arn != null && c.create_oidc_provider])} sets oidc_provider_arn and create_oidc_provider = true: choose one, either use the registered provider or register a new one."
  }

  validation {
    condition = alltrue([
      for key, c in var.clusters : c.oidc_provider_arn == null || c.issuer_url == null ||
      try(split("oidc-provider/", c.oidc_provider_arn)[1] == trimsuffix(trimprefix(c.issuer_url, "https://"), "/"), false)
    ])
    error_message = "${join(", ", [
      for key, c in var.clusters : "clusters.${key}.oidc_provider_arn ${jsonencode(c.oidc_provider_arn)} does not belong to its issuer_url ${jsonencode(c.issuer_url)}" if !(c.oidc_provider_arn == null || c.issuer_url == null ||
      try(split("oidc-provider/", c.oidc_provider_arn)[1] == trimsuffix(trimprefix(c.issuer_url, "https://"), "/"), false))
    ])}: the part after \"oidc-provider/\" must equal the issuer URL without https://."
  }

  validation {
    condition     = alltrue([for key, c in var.clusters : !c.create_oidc_provider || c.issuer_url != null || (c.name != null && c.account_id == null)])
    error_message = "${join(", ", [for key, c in var.clusters : "clusters.${key}" if !(!c.create_oidc_provider || c.issuer_url != null || (c.name != null && c.account_id == null))])} sets create_oidc_provider = true without an issuer_url: give the cluster's issuer URL (a cluster in another account cannot be read from this one)."
  }

  validation {
    condition     = alltrue([for key, c in var.clusters : c.workloads == null || try(length(c.workloads) > 0, false)])
    error_message = "${join(", ", [for key, c in var.clusters : "clusters.${key}.workloads" if !(c.workloads == null || try(length(c.workloads) > 0, false))])} is empty, so the cluster would run no app and trust nothing: list the apps it runs, or leave workloads unset for all of them."
  }

  validation {
    condition     = alltrue(flatten([for key, c in var.clusters : [for app in keys(coalesce(c.workloads, {})) : contains(keys(var.apps), app)]]))
    error_message = format("%s names an app that has no role here: add it to apps, or drop it from the cluster's workloads.", join(", ", flatten([for key, c in var.clusters : [for app in keys(coalesce(c.workloads, {})) : "clusters.${key}.workloads.${app}" if !contains(keys(var.apps), app)]])))
  }

  validation {
    # A cluster that runs an IRSA app needs a way to its OIDC provider.
    condition = alltrue([
      for key, c in var.clusters : c.oidc_provider_arn != null || c.issuer_url != null || c.name != null ||
      alltrue([for app in(c.workloads == null ? keys(var.apps) : keys(c.workloads)) : try(var.apps[app].identity, "irsa") != "irsa"])
    ])
    error_message = "${join(", ", [
      for key, c in var.clusters : "clusters.${key}" if !(c.oidc_provider_arn != null || c.issuer_url != null || c.name != null ||
      alltrue([for app in(c.workloads == null ? keys(var.apps) : keys(c.workloads)) : try(var.apps[app].identity, "irsa") != "irsa"]))
    ])} runs IRSA apps but gives no OIDC source: set oidc_provider_arn, issuer_url, or (for a cluster in this account) name."
  }

  validation {
    condition = alltrue([
      for key, c in var.clusters : c.account_id == null || c.oidc_provider_arn != null || c.issuer_url != null ||
      alltrue([for app in(c.workloads == null ? keys(var.apps) : keys(c.workloads)) : try(var.apps[app].identity, "irsa") != "irsa"])
    ])
    error_message = "${join(", ", [
      for key, c in var.clusters : "clusters.${key}" if !(c.account_id == null || c.oidc_provider_arn != null || c.issuer_url != null ||
      alltrue([for app in(c.workloads == null ? keys(var.apps) : keys(c.workloads)) : try(var.apps[app].identity, "irsa") != "irsa"]))
    ])} names its account but no issuer_url or oidc_provider_arn: a cluster in another account cannot be read from this one, so give its issuer URL (aws eks describe-cluster in that account)."
  }

  validation {
    condition = alltrue(flatten([
      for key, c in var.clusters : [
        for app in(c.workloads == null ? keys(var.apps) : keys(c.workloads)) : try(var.apps[app].identity, "irsa") != "pod_identity" || c.name != null
      ]
    ]))
    error_message = "${join(", ", distinct(flatten([
      for key, c in var.clusters : [
        for app in(c.workloads == null ? keys(var.apps) : keys(c.workloads)) : "clusters.${key} runs ${app}" if try(var.apps[app].identity, "irsa") == "pod_identity" && c.name == null
      ]
    ])))} with Pod Identity but has no name: Pod Identity associations need the EKS cluster name."
  }

  validation {
    condition = alltrue(flatten([
      for key, c in var.clusters : [
        for app, w in coalesce(c.workloads, {}) : w.namespace == null || (
          can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", w.namespace)) && try(length(w.namespace) <= 63, false)
        )
      ]
    ]))
    error_message = format("%s: a namespace is a DNS-1123 label (at most 63 characters of a-z, 0-9 and \"-\", starting and ending with a letter or digit), never a wildcard.", join(", ", flatten([
      for key, c in var.clusters : [
        for app, w in coalesce(c.workloads, {}) : "clusters.${key}.workloads.${app}.namespace is ${jsonencode(w.namespace)}" if !(w.namespace == null || (
          can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", w.namespace)) && try(length(w.namespace) <= 63, false)
        ))
      ]
    ])))
  }

  validation {
    condition = alltrue(flatten([
      for key, c in var.clusters : [
        for app, w in coalesce(c.workloads, {}) : w.service_accounts == null || (
          try(length(w.service_accounts) > 0, false) &&
          length(distinct(coalesce(w.service_accounts, []))) == length(coalesce(w.service_accounts, [])) &&
          alltrue([
            for sa in coalesce(w.service_accounts, []) : can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", sa)) && length(sa) <= 253
          ])
        )
      ]
    ]))
    error_message = format("%s: list at least one service account, each once, each a DNS-1123 subdomain without wildcards (a-z, 0-9, \"-\" and \".\").", join(", ", flatten([
      for key, c in var.clusters : [
        for app, w in coalesce(c.workloads, {}) : "clusters.${key}.workloads.${app}.service_accounts is ${jsonencode(w.service_accounts)}" if !(w.service_accounts == null || (
          try(length(w.service_accounts) > 0, false) &&
          length(distinct(coalesce(w.service_accounts, []))) == length(coalesce(w.service_accounts, [])) &&
          alltrue([
            for sa in coalesce(w.service_accounts, []) : can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", sa)) && length(sa) <= 253
          ])
        ))
      ]
    ])))
  }

  validation {
    # The same cluster twice would give one provider two trust statements (or two providers
    # for one issuer): by EKS name in one account, by issuer URL, by provider ARN.
    condition = length(flatten([
      for key, c in var.clusters : compact([
        c.name == null ? "" : "name:${coalesce(c.account_id, "this")}/${c.name}",
        c.issuer_url == null ? "" : "issuer:${lower(trimsuffix(trimprefix(c.issuer_url, "https://"), "/"))}",
        c.oidc_provider_arn == null || c.issuer_url != null ? "" : "issuer:${lower(try(split("oidc-provider/", c.oidc_provider_arn)[1], ""))}",
      ])
      ])) == length(distinct(flatten([
        for key, c in var.clusters : compact([
          c.name == null ? "" : "name:${coalesce(c.account_id, "this")}/${c.name}",
          c.issuer_url == null ? "" : "issuer:${lower(trimsuffix(trimprefix(c.issuer_url, "https://"), "/"))}",
          c.oidc_provider_arn == null || c.issuer_url != null ? "" : "issuer:${lower(try(split("oidc-provider/", c.oidc_provider_arn)[1], ""))}",
        ])
    ])))
    error_message = format("%s: a cluster is listed once (one trust statement per OIDC provider).", join(" and ", [
      for identity, owners in {
        for entry in flatten([
          for key, c in var.clusters : [
            for identity in compact([
              c.name == null ? "" : "name:${coalesce(c.account_id, "this")}/${c.name}",
              c.issuer_url == null ? "" : "issuer:${lower(trimsuffix(trimprefix(c.issuer_url, "https://"), "/"))}",
              c.oidc_provider_arn == null || c.issuer_url != null ? "" : "issuer:${lower(try(split("oidc-provider/", c.oidc_provider_arn)[1], ""))}",
            ]) : { identity = identity, key = key }
          ]
        ]) : entry.identity => "clusters.${entry.key}"...
      } : format("%s name the same %s", join(" and ", sort(owners)), startswith(identity, "name:") ? "cluster ${split("/", identity)[1]}" : "issuer ${trimprefix(identity, "issuer:")}") if length(owners) > 1
    ]))
  }

  validation {
    condition = var.cluster_name == null || !contains([
      for key, c in var.clusters : c.name if c.account_id == null
    ], coalesce(var.cluster_name, "-"))
    error_message = "${join(" and ", [for key, c in var.clusters : "clusters.${key}" if c.account_id == null && c.name == var.cluster_name])} names cluster_name ${jsonencode(var.cluster_name)}, the first cluster: a cluster is listed once, either as cluster_name or in clusters."
  }

  validation {
    condition = alltrue([
      for key, c in var.clusters : (c.issuer_url == null || var.oidc.issuer_url == null ||
      lower(trimsuffix(trimprefix(coalesce(c.issuer_url, "-"), "https://"), "/")) != lower(trimsuffix(trimprefix(coalesce(var.oidc.issuer_url, "-"), "https://"), "/"))) &&
      (c.oidc_provider_arn == null || c.oidc_provider_arn != var.oidc.provider_arn)
    ])
    error_message = "${join(" and ", [
      for key, c in var.clusters : "clusters.${key}" if !((c.issuer_url == null || var.oidc.issuer_url == null ||
        lower(trimsuffix(trimprefix(coalesce(c.issuer_url, "-"), "https://"), "/")) != lower(trimsuffix(trimprefix(coalesce(var.oidc.issuer_url, "-"), "https://"), "/"))) &&
      (c.oidc_provider_arn == null || c.oidc_provider_arn != var.oidc.provider_arn))
    ])} names the OIDC issuer of the first cluster (oidc): a cluster is listed once, either through cluster_name and oidc or in clusters."
  }

  validation {
    # One service account, one app: the same namespace/service-account pair may not belong to
    # two apps on any cluster, the first one (apps) included.
    condition = alltrue([
      for pair, owners in {
        for entry in concat(
          flatten([for app, cfg in var.apps : [for sa in coalesce(cfg.service_accounts, [app]) : { pair = "${coalesce(cfg.namespace, app)}/${sa}", app = app }]]),
          flatten([
            for key, c in var.clusters : [
              for app in(c.workloads == null ? keys(var.apps) : keys(c.workloads)) : [
                for sa in coalesce(try(c.workloads[app].service_accounts, null), try(var.apps[app].service_accounts, null), [app]) : {
                  pair = "${coalesce(try(c.workloads[app].namespace, null), try(var.apps[app].namespace, null), app)}/${sa}"
                  app  = app
                }
              ]
            ]
          ]),
        ) : entry.pair => entry.app...
      } : length(distinct(owners)) == 1
    ])
    error_message = format("%s: a subject (namespace/service account) means one app on every cluster, so it can reach only that app's role.", join(" and ", [
      for pair, owners in {
        for entry in concat(
          flatten([for app, cfg in var.apps : [for sa in coalesce(cfg.service_accounts, [app]) : { pair = "${coalesce(cfg.namespace, app)}/${sa}", app = app }]]),
          flatten([
            for key, c in var.clusters : [
              for app in(c.workloads == null ? keys(var.apps) : keys(c.workloads)) : [
                for sa in coalesce(try(c.workloads[app].service_accounts, null), try(var.apps[app].service_accounts, null), [app]) : {
                  pair = "${coalesce(try(c.workloads[app].namespace, null), try(var.apps[app].namespace, null), app)}/${sa}"
                  app  = app
                }
              ]
            ]
          ]),
        ) : entry.pair => entry.app...
      } : format("subject system:serviceaccount:%s is listed under %s", replace(pair, "/", ":"), join(" and ", sort(distinct(owners)))) if length(distinct(owners)) > 1
    ]))
  }
}

variable "trust_policy_size_limit" {
  description = "The most characters a role's trust policy may have: IAM's default quota \"Role trust policy length\" is 2,048 (quota code L-C07B4B0D, adjustable). Each IRSA cluster adds one statement of about 480 characters with one service account, so 4 clusters fit the default (3 with Mimir's three service accounts). Raise it only after AWS raised your quota."
  type        = number
  nullable    = false
  default     = 2048

  validation {
    condition     = var.trust_policy_size_limit >= 2048 && var.trust_policy_size_limit <= 8192 && floor(var.trust_policy_size_limit) == var.trust_policy_size_limit
    error_message = "trust_policy_size_limit is ${var.trust_policy_size_limit}: IAM's trust policy quota is a whole number of characters from its default of 2048 up to 8192."
  }
}

##############################################################################
# Grafana data sources
##############################################################################

variable "grafana_access" {
  description = "Read-only AWS data-source permissions for Grafana's role; each switch adds only its own actions, and with every switch off the role has no permission policy. CloudWatch Logs is off unless cloudwatch_log_groups names the log groups Grafana may read (wildcards allowed; [\"*\"] for all, on purpose). prometheus_workspace_arns limits Amazon Managed Prometheus queries to those workspaces (default: every workspace of this account and region)."
  type = object({
    cloudwatch_metrics        = optional(bool, true)
    cloudwatch_logs           = optional(bool, false)
    cloudwatch_log_groups     = optional(list(string), [])
    xray                      = optional(bool, false)
    prometheus_query          = optional(bool, false)
    prometheus_workspace_arns = optional(list(string), [])
  })
  nullable = false
  default  = {}

  validation {
    condition     = !var.grafana_access.cloudwatch_logs || length(var.grafana_access.cloudwatch_log_groups) > 0
    error_message = "grafana_access.cloudwatch_logs is true but grafana_access.cloudwatch_log_groups is empty: name the log groups Grafana may read (wildcards allowed, e.g. \"/aws/eks/*\"), or [\"*\"] to let it read every log group of the account on purpose."
  }

  validation {
    condition     = var.grafana_access.cloudwatch_logs || length(var.grafana_access.cloudwatch_log_groups) == 0
    error_message = "grafana_access.cloudwatch_log_groups is set but grafana_access.cloudwatch_logs is false, so the log groups would grant nothing: turn cloudwatch_logs on or drop the list."
  }

  validation {
    condition     = alltrue([for group in var.grafana_access.cloudwatch_log_groups : can(regex("^[A-Za-z0-9_./#*-]{1,512}$", group))])
    error_message = "${join(", ", [for group in var.grafana_access.cloudwatch_log_groups : jsonencode(group) if !can(regex("^[A-Za-z0-9_./#*-]{1,512}$", group))])} in grafana_access.cloudwatch_log_groups is not a log group name: 1 to 512 letters, digits and the characters _-./# (and * as a wildcard)."
  }

  validation {
    condition = alltrue([
      for arn in var.grafana_access.prometheus_workspace_arns : can(regex("^arn:aws(-[a-z]+)*:aps:[a-z]{2}(-[a-z]+)+-[0-9]{1,2}:[0-9]{12}:workspace/ws-[A-Za-z0-9-]+$", arn))
    ])
    error_message = "${join(", ", [
      for arn in var.grafana_access.prometheus_workspace_arns : "grafana_access.prometheus_workspace_arns contains ${jsonencode(arn)}" if !can(regex("^arn:aws(-[a-z]+)*:aps:[a-z]{2}(-[a-z]+)+-[0-9]{1,2}:[0-9]{12}:workspace/ws-[A-Za-z0-9-]+$", arn))
    ])}: a workspace ARN must look like arn:<partition>:aps:<region>:<12-digit account>:workspace/ws-<id>."
  }

  validation {
    condition     = var.grafana_access.prometheus_query || length(var.grafana_access.prometheus_workspace_arns) == 0
    error_message = "grafana_access.prometheus_workspace_arns is set but grafana_access.prometheus_query is false, so the workspaces would grant nothing: turn prometheus_query on or drop the list."
  }
}

##############################################################################
# Role settings
##############################################################################

variable "permissions_boundary_arn" {
  description = "ARN of an IAM managed policy set as the permissions boundary of every role (null: no boundary)."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:aws(-[a-z]+)*:iam::([0-9]{12}|aws):policy/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn is ${jsonencode(var.permissions_boundary_arn)}: a permissions boundary must be an IAM policy ARN such as arn:<partition>:iam::<12-digit account>:policy/<name>."
  }
}

variable "role_path" {
  description = "IAM path of every role. Must stay \"/\" when any app uses pod_identity (EKS Pod Identity associations fail for roles with another path, hashicorp/terraform-provider-aws#34711)."
  type        = string
  nullable    = false
  default     = "/"

  validation {
    condition     = can(regex("^/([A-Za-z0-9+=,.@_-]+/)*$", var.role_path)) && length(var.role_path) <= 512
    error_message = "role_path is ${jsonencode(var.role_path)}: an IAM path starts and ends with \"/\", has at most 512 characters and uses only letters, digits and the characters +=,.@_- between the slashes."
  }

  validation {
    condition     = var.role_path == "/" || alltrue([for app, cfg in var.apps : cfg.identity != "pod_identity"])
    error_message = "role_path is ${jsonencode(var.role_path)} but pod_identity is used by ${join(", ", [for app, cfg in var.apps : "apps.${app}" if cfg.identity == "pod_identity"])}, and EKS Pod Identity associations fail for roles with a path other than \"/\" (hashicorp/terraform-provider-aws#34711)."
  }
}

variable "max_session_duration" {
  description = "Maximum session duration of every role, in seconds (3600 to 43200)."
  type        = number
  nullable    = false
  default     = 3600

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200 && floor(var.max_session_duration) == var.max_session_duration
    error_message = "max_session_duration is ${var.max_session_duration}: IAM accepts a whole number of seconds from 3600 (1 hour) to 43200 (12 hours)."
  }
}

variable "tags" {
  description = "Tags added to every role, OIDC provider and Pod Identity association this module creates."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = length(var.tags) <= 50
    error_message = "tags has ${length(var.tags)} entries: IAM allows at most 50 tags on a role."
  }

  validation {
    condition     = alltrue([for key, value in var.tags : length(key) >= 1 && length(key) <= 128 && length(value) <= 256 && !startswith(lower(key), "aws:") && !startswith(lower(value), "aws:")])
    error_message = "${join(" and ", [for key, value in var.tags : "tags entry ${jsonencode(key)}" if !(length(key) >= 1 && length(key) <= 128 && length(value) <= 256 && !startswith(lower(key), "aws:") && !startswith(lower(value), "aws:"))])} is invalid: a tag key has 1 to 128 characters and cannot start with \"aws:\" in any letter case (AWS reserves it, and IAM also for values), and a tag value has at most 256 characters."
  }

  validation {
    condition     = alltrue([for key, value in var.tags : can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]*$", key)) && can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]*$", value))])
    error_message = "${join(" and ", [for key, value in var.tags : "tags entry ${jsonencode(key)}" if !(can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]*$", key)) && can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]*$", value)))])} has a character AWS refuses in tags: keys and values take letters, digits, spaces and _ . : / = + - @ only."
  }

  validation {
    condition     = length(distinct([for key in setunion(keys(var.tags), []) : lower(key)])) == length(setunion(keys(var.tags), []))
    error_message = "tags has keys that differ only in letter case (${join(", ", sort([for key in setunion(keys(var.tags), []) : key if length([for other in setunion(keys(var.tags), []) : other if lower(other) == lower(key)]) > 1]))}), and IAM compares the tag keys of a role without case: keep one of each."
  }
}
