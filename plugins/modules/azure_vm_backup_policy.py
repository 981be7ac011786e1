#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: azure_vm_backup_policy
short_description: Backup policies for Azure VMs in a Recovery Services vault
version_added: 0.1.0
description:
  - Creates or updates an Azure Backup policy for Azure VMs (AzureIaasVM) in a Recovery Services vault, through
    azure-mgmt-recoveryservicesbackup.
  - A B(standard) policy backs up daily or weekly and keeps instant-restore snapshots 1 to 5 days (2 by default; 5 for weekly
    backups). An B(enhanced) policy can also back up every 4, 6, 8 or 12 hours inside a daily window, and keeps snapshots 1 to
    30 days (7 by default). Azure Backup cannot turn an enhanced policy back into a standard one; the module refuses it.
  - Every option is checked against Azure Backup's rules before any call, and a refusal names the option and the rule.
  - The policy the service stores is compared with the options field by field, schedule times as times of day; when they agree
    nothing is sent and the module reports no change. Otherwise the policy is written and the module waits for the service's
    asynchronous operation to end (O(wait_timeout)).
  - Schedules follow O(time_zone) without daylight-saving adjustments, as Azure Backup's do.
author:
  - drkit.microsoft maintainers (@drkit-microsoft)
extends_documentation_fragment:
  - drkit.microsoft.azure
  - drkit.microsoft.recovery_services
attributes:
  check_mode:
    support: full
    description: Reads the stored policy and returns the plan (create, update with the fields that differ, or nothing).
  diff_mode:
    support: full
    description: The policy before and after, as the service stores it, schedule times shown as times of day.
options:
  name:
    description: Name of the policy; 3 to 150 letters, digits and hyphens, starting with a letter, not ending with a hyphen.
    type: str
    required: true
  policy_type:
    description: V(standard) (V1) or V(enhanced) (V2).
    type: str
    choices: [standard, enhanced]
    default: standard
  schedule:
    description: When backups run.
    type: dict
    required: true
    suboptions:
      frequency:
        description: V(daily), V(weekly), or V(hourly) (enhanced policies only).
        type: str
        choices: [daily, weekly, hourly]
        required: true
      times:
        description: With V(daily) and V(weekly), the time of day of the backup, C(HH:MM) on the hour or half hour; exactly one.
        type: list
        elements: str
      days:
        description: With V(weekly), the days of the week (V(Sunday) ... V(Saturday)).
        type: list
        elements: str
      interval:
        description: With V(hourly), the hours between two backups, V(4), V(6), V(8) or V(12).
        type: int
      window_start:
        description: With V(hourly), when the daily backup window starts, C(HH:MM).
        type: str
        default: "08:00"
      window_hours:
        description: With V(hourly), the window's length in hours, a multiple of O(schedule.interval), at most 24.
        type: int
        default: 24
  instant_restore_days:
    description:
      - Days the instant-restore snapshots are kept; standard 1 to 5 (default 2, and 5 with weekly backups), enhanced 1 to 30
        (default 7).
    type: int
  time_zone:
    description: The schedule's time zone, as Windows names it (V(UTC), V(W. Europe Standard Time)).
    type: str
    default: UTC
  retention:
    description: How long recovery points are kept.
    type: dict
    required: true
    suboptions:
      daily:
        description: Daily points, C(count) 7 to 9999 days. Required with daily and hourly backups.
        type: dict
      weekly:
        description: Weekly points, C(count) 1 to 5163 weeks, of the C(days) given (by default the schedule's days). Required with weekly backups.
        type: dict
      monthly:
        description: Monthly points, C(count) 1 to 1188 months, of the C(days_of_month) given (1 to 28, or V(Last)).
        type: dict
      yearly:
        description: Yearly points, C(count) 1 to 99 years, of the C(months) and C(days_of_month) given.
        type: dict
  wait_timeout:
    description: Seconds to wait for the service to store the policy.
    type: int
    default: 600
"""

EXAMPLES = r"""
- name: Daily backups at 23:30, kept 30 days, month ends kept a year
  drkit.microsoft.azure_vm_backup_policy:
    name: vm-daily
    vault_name: rsv-prod-weu
    resource_group: rg-backup
    schedule:
      frequency: daily
      times: ["23:30"]
    time_zone: W. Europe Standard Time
    retention:
      daily: {count: 30}
      monthly: {count: 12, days_of_month: [Last]}

- name: Enhanced policy, every 4 hours from 08:00 to 20:00, snapshots kept 14 days
  drkit.microsoft.azure_vm_backup_policy:
    name: vm-hourly
    vault_name: rsv-prod-weu
    resource_group: rg-backup
    policy_type: enhanced
    schedule: {frequency: hourly, interval: 4, window_start: "08:00", window_hours: 12}
    instant_restore_days: 14
    retention:
      daily: {count: 30}
  check_mode: true
  diff: true
"""

RETURN = r"""
plan:
  description: The actions taken, or in check mode that would be taken (see the collection's plan format).
  returned: always
  type: list
  elements: dict
notices:
  description: What the operator must know (protected items a change applies to).
  returned: always
  type: list
  elements: str
policy:
  description: The policy as the service stores it (its C(properties), REST names), after the run; absent in check mode for a new one.
  returned: when the policy exists
  type: dict
diff:
  description: The policy before and after, schedule times as times of day.
  returned: in diff mode
  type: dict
"""

from ansible_collections.drkit.microsoft.plugins.module_utils.azure import backup, backup_policy, policy_plan
from ansible_collections.drkit.microsoft.plugins.module_utils.azure.module import azure_login, azure_module
from ansible_collections.drkit.microsoft.plugins.module_utils.azure.client import check_wait_timeout
from ansible_collections.drkit.microsoft.plugins.module_utils.core.module import reported_errors, run_plan

RETENTION_OPTIONS = dict(daily=dict(type="dict"), weekly=dict(type="dict"), monthly=dict(type="dict"), yearly=dict(type="dict"))


def argument_spec():
    spec = dict(
        name=dict(type="str", required=True),
        policy_type=dict(type="str", choices=["standard", "enhanced"], default="standard"),
        schedule=dict(type="dict", required=True, options=dict(
            frequency=dict(type="str", choices=["daily", "weekly", "hourly"], required=True),
            times=dict(type="list", elements="str"),
            days=dict(type="list", elements="str"),
            interval=dict(type="int"),
            window_start=dict(type="str", default="08:00"),
            window_hours=dict(type="int", default=24),
        )),
        instant_restore_days=dict(type="int"),
        time_zone=dict(type="str", default="UTC"),
        retention=dict(type="dict", required=True, options=RETENTION_OPTIONS),
        wait_timeout=dict(type="int", default=600),
    )
    spec.update(backup.RECOVERY_SERVICES_ARGUMENT_SPEC)
    return spec


def main():
    module = azure_module(argument_spec())
    params = module.params
    with reported_errors(module):
        check_wait_timeout(params)
        desired = backup_policy.desired_policy(params)  # every rule, before any call
        settings, credential = azure_login(params)
        client = backup.backup_client(settings, credential)
        current = backup.get_policy(client, params["resource_group"], params["vault_name"], params["name"])
        plan = policy_plan.plan_policy(params["name"], params["vault_name"], current, desired)

        def write(_action):
            backup.put_policy(client, params["resource_group"], params["vault_name"], params["name"], desired, params["wait_timeout"])
            return params["name"]

        def summarize(outcomes):
            if outcomes is None:
                return {"policy": current} if current is not None else {}
            return {"policy": backup.get_policy(client, params["resource_group"], params["vault_name"], params["name"])}

        run_plan(module, plan, {policy_plan.CREATE_POLICY: write, policy_plan.UPDATE_POLICY: write}, summarize)


if __name__ == "__main__":
    main()
