data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # The stores each application needs, from its own documentation (../README.md, "The facts
  # the modules encode").
  app_stores = {
    mimir = ["blocks", "ruler", "alertmanager"]
    loki  = concat(["chunks", "ruler"], var.loki_admin_bucket ? ["admin"] : [])
    tempo = ["traces"]
  }
  # The store that holds an application's bulk data: the only one lifecycle tiering touches.
  data_store = { mimir = "blocks", loki = "chunks", tempo = "traces" }

  buckets = merge([
    for app in sort(tolist(var.apps)) : {
      for store in local.app_stores[app] : "${app}-${store}" => {
        app   = app
        store = store
        name  = "${var.name_prefix}-${app}-${store}"
      }
    }
  ]...)

  # S3's lifecycle waterfall; a transition may only move an object further down it.
  storage_class_rank = {
    STANDARD_IA         = 1
    INTELLIGENT_TIERING = 2
    ONEZONE_IA          = 3
    GLACIER_IR          = 4
    GLACIER             = 5
    DEEP_ARCHIVE        = 6
  }
  transitions_by_day = {
    for app, steps in var.storage_transitions : app => [
      for step in sort([for s in steps : format("%06d/%s", s.days, s.storage_class)]) : {
        days          = tonumber(split("/", step)[0])
        storage_class = split("/", step)[1]
        rank          = lookup(local.storage_class_rank, split("/", step)[1], 0)
      }
    ]
  }

  # The tag keys this module reserves on what it creates (published in the stack contract).
  tag_keys    = { module = "lgtm:module", app = "lgtm:app", store = "lgtm:store", kms_key = "lgtm:kms-key" }
  common_tags = merge(var.tags, { (local.tag_keys.module) = "s3-kms" })
}
