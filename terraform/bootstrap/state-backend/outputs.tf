output "bucket" {
  description = "Name of the state bucket."
  value       = aws_s3_bucket.this.bucket
}

output "bucket_arn" {
  description = "ARN of the state bucket."
  value       = aws_s3_bucket.this.arn
}

output "region" {
  description = "Region of the state bucket."
  value       = var.region
}

output "kms_key_arn" {
  description = "ARN of the key that encrypts state (null with SSE-S3)."
  value       = local.kms_key_arn
}

output "backend_config" {
  description = "Settings for `backend \"s3\"` (everything except the per-env key), as a map."
  value = merge(
    {
      bucket       = aws_s3_bucket.this.bucket
      region       = var.region
      encrypt      = true
      use_lockfile = true
    },
    local.kms_key_arn == null ? {} : { kms_key_id = local.kms_key_arn },
  )
}

output "backend_hcl" {
  description = "The same settings as a backend.hcl file: `terraform init -backend-config=backend.hcl -backend-config=key=lgtm/prod/terraform.tfstate`."
  value = join("", [
    "bucket       = \"${aws_s3_bucket.this.bucket}\"\n",
    "region       = \"${var.region}\"\n",
    "encrypt      = true\n",
    "use_lockfile = true\n",
    local.kms_key_arn == null ? "" : "kms_key_id   = \"${local.kms_key_arn}\"\n",
  ])
}
