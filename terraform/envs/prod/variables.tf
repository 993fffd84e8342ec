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
  description = "Prefix of every name; null derives \"lgtm-prod-<account id>\", unique across AWS."
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
  description = "Days each app keeps data."
  type = object({
    mimir = optional(number, 395)
    loki  = optional(number, 31)
    tempo = optional(number, 14)
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

variable "alert_email_addresses" {
  description = "E-mail addresses subscribed to the alert topic (each must confirm by mail)."
  type        = list(string)
  default     = []
}

variable "kms_administrator_arns" {
  description = "IAM roles or users that administer the keys (never use them for data)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
