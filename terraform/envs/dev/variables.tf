variable "region" {
  description = "AWS region of the stack."
  type        = string
  default     = "us-east-1"
}

variable "eks_cluster_name" {
  description = "The EKS cluster running Mimir, Loki, Tempo and Grafana (its OIDC provider must be registered in IAM)."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of every name; null derives \"lgtm-dev-<account id>\", unique across AWS."
  type        = string
  default     = null
}

variable "create_mimir_tables" {
  description = "Create the legacy Mimir/Cortex DynamoDB index table."
  type        = bool
  default     = false
}

variable "create_loki_tables" {
  description = "Create the legacy Loki 3.x DynamoDB index table."
  type        = bool
  default     = false
}

variable "retention_days" {
  description = "Days each app keeps data (dev keeps little)."
  type = object({
    mimir = optional(number, 30)
    loki  = optional(number, 14)
    tempo = optional(number, 7)
  })
  default = {}
}

variable "workloads" {
  description = "Per app: namespace, service accounts and identity mode (irsa or pod_identity), when they differ from the charts' defaults."
  type = map(object({
    namespace        = optional(string)
    service_accounts = optional(list(string))
    identity         = optional(string, "irsa")
  }))
  default = {}
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
