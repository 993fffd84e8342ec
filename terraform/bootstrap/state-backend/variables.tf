variable "region" {
  description = "AWS region of the state bucket (and of its key)."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as us-east-1, not ${jsonencode(var.region)}."
  }
}

variable "bucket_name" {
  description = "Name of the state bucket; null derives \"lgtm-tfstate-<account id>\"."
  type        = string
  default     = null

  validation {
    condition     = var.bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be 3 to 63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit."
  }

  validation {
    condition     = var.bucket_name == null || !can(regex("(\\.\\.|^xn--|-s3alias$|--ol-s3$|^\\d+\\.\\d+\\.\\d+\\.\\d+$)", var.bucket_name))
    error_message = "bucket_name must not contain \"..\", look like an IP address, or use a prefix or suffix S3 reserves (xn--, -s3alias, --ol-s3)."
  }
}

variable "encryption" {
  description = "Default encryption of the state objects: SSE-KMS (\"aws:kms\") with a key this root creates, or with kms_key_arn; or SSE-S3 (\"AES256\")."
  type = object({
    sse_algorithm           = optional(string, "aws:kms")
    kms_key_arn             = optional(string)
    deletion_window_in_days = optional(number, 30)
  })
  default = {}

  validation {
    condition     = contains(["aws:kms", "AES256"], var.encryption.sse_algorithm)
    error_message = "encryption.sse_algorithm must be \"aws:kms\" or \"AES256\", not ${jsonencode(var.encryption.sse_algorithm)}."
  }

  validation {
    condition     = var.encryption.kms_key_arn == null || (var.encryption.sse_algorithm == "aws:kms" && can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.encryption.kms_key_arn)))
    error_message = "encryption.kms_key_arn must be a full KMS key ARN (not an alias), and only goes with sse_algorithm \"aws:kms\"."
  }

  validation {
    condition     = var.encryption.deletion_window_in_days >= 7 && var.encryption.deletion_window_in_days <= 30
    error_message = "encryption.deletion_window_in_days must be between 7 and 30 (AWS limits)."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days a replaced or deleted state version is kept before it expires (every apply writes a new version)."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && var.noncurrent_version_expiration_days <= 3650 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number of days between 1 and 3650."
  }
}

variable "access_log_bucket" {
  description = "Existing bucket that receives the state bucket's server access logs (under tfstate/<bucket>/); null turns access logging off."
  type        = string
  default     = null

  validation {
    condition     = var.access_log_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.access_log_bucket))
    error_message = "access_log_bucket must be an S3 bucket name (3 to 63 lowercase letters, digits, dots or hyphens)."
  }
}

variable "require_tls" {
  description = "Attach the bucket policy that denies requests without TLS 1.2 or later. Turn it off only for an emulator that serves plain HTTP (obsctl's local AWS)."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the bucket with every state version in it (keep false outside throwaway accounts)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource (applied through the provider's default_tags)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for key in keys(var.tags) : !startswith(lower(key), "aws:")])
    error_message = "tags keys must not use the reserved prefix \"aws:\"."
  }
}
