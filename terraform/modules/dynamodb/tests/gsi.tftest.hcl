# Global secondary indexes: attributes declared once, projection variants, defaults.

mock_provider "aws" {}

variables {
  name_prefix        = "obs-dev"
  create_loki_tables = true
  kms_key_arns = {
    loki = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
  }
  global_secondary_indexes = [
    {
      name               = "by-hash-and-time"
      hash_key           = "h"
      hash_key_type      = "S"
      range_key          = "ts"
      range_key_type     = "N"
      projection_type    = "INCLUDE"
      non_key_attributes = ["c"]
    },
    {
      name            = "by-tenant"
      hash_key        = "tenant"
      hash_key_type   = "S"
      projection_type = "KEYS_ONLY"
    },
    {
      name           = "by-time"
      hash_key       = "ts"
      hash_key_type  = "N"
      range_key      = "r"
      range_key_type = "B"
    },
  ]
}

run "index_attributes_are_declared_once" {
  command = plan

  assert {
    condition     = toset([for a in aws_dynamodb_table.on_demand["obs-dev-loki-index"].attribute : "${a.name}:${a.type}"]) == toset(["h:S", "r:B", "ts:N", "tenant:S"])
    error_message = "The table must declare h, r, ts and tenant exactly once each, with their types."
  }

  assert {
    condition     = length(aws_dynamodb_table.on_demand["obs-dev-loki-index"].attribute) == 4
    error_message = "Shared attributes must not be declared twice."
  }
}

run "index_projections_follow_the_input" {
  command = plan

  assert {
    condition     = sort([for g in aws_dynamodb_table.on_demand["obs-dev-loki-index"].global_secondary_index : g.name]) == tolist(["by-hash-and-time", "by-tenant", "by-time"])
    error_message = "Every listed index must be created, once."
  }

  assert {
    condition = one([
      for g in aws_dynamodb_table.on_demand["obs-dev-loki-index"].global_secondary_index : g
      if g.name == "by-hash-and-time" && g.hash_key == "h" && g.range_key == "ts" && g.projection_type == "INCLUDE" && toset(g.non_key_attributes) == toset(["c"])
    ]) != null
    error_message = "The INCLUDE index must keep its keys and non_key_attributes."
  }

  assert {
    condition = one([
      for g in aws_dynamodb_table.on_demand["obs-dev-loki-index"].global_secondary_index : g
      if g.name == "by-tenant" && g.hash_key == "tenant" && g.range_key == null && g.projection_type == "KEYS_ONLY" && length(coalesce(g.non_key_attributes, [])) == 0
    ]) != null
    error_message = "The KEYS_ONLY index must have no range key and no non_key_attributes."
  }

  assert {
    condition = one([
      for g in aws_dynamodb_table.on_demand["obs-dev-loki-index"].global_secondary_index : g
      if g.name == "by-time" && g.hash_key == "ts" && g.range_key == "r" && g.projection_type == "ALL"
    ]) != null
    error_message = "projection_type must default to ALL."
  }

  assert {
    condition     = length([for g in aws_dynamodb_table.on_demand["obs-dev-loki-index"].global_secondary_index : g.name if length(g.on_demand_throughput) == 0]) == 3
    error_message = "Without a ceiling, no index may get on_demand_throughput."
  }
}
