output "tables" {
  description = "Tables per app (keys loki and mimir), each a list of { name, arn } in period order; an empty list for an app whose tables are off."
  value = {
    for app in local.apps : app => [
      for name in local.table_names[app] : {
        name = name
        arn  = local.table_arns_by_name[name]
      }
    ]
  }
}

output "table_arns" {
  description = "Table ARNs per app (keys loki and mimir), in period order; an empty list for an app whose tables are off."
  value = {
    for app in local.apps : app => [for name in local.table_names[app] : local.table_arns_by_name[name]]
  }
}

output "index_prefix" {
  description = "Per app (keys loki and mimir): the value for Loki's period_config index.prefix, that is the periodic table-name prefix \"<name_prefix>-<app>-index-\" or the single table's name; null for an app whose tables are off. IAM grants on table/<index_prefix>* cover every table of the app."
  value = {
    for app in local.apps : app => local.enabled[app] ? local.index_prefix[app] : null
  }
}

output "period_hours" {
  description = "The table period in hours (Loki's index.period), or null when each app has a single table."
  value       = local.periodic ? var.periodic_tables.period_hours : null
}

output "alarm_arns" {
  description = "ARNs of the CloudWatch alarms (two per table when alarm_topic_arn is set, else empty)."
  value       = [for key in sort(keys(local.alarms)) : aws_cloudwatch_metric_alarm.this[key].arn]
}
