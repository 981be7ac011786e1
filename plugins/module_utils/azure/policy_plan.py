# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan of a backup policy: create it, update it when any field differs, or nothing; with its diff."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.drkit.microsoft.plugins.module_utils.azure.backup_policy import comparable, is_downgrade
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.core.plan import ActionType, Plan

CREATE_POLICY = ActionType("create_backup_policy", "create")
UPDATE_POLICY = ActionType("update_backup_policy", "modify")


def plan_policy(name, vault, current, desired):
    """*current* is the stored policy document or None; *desired* what the options describe."""
    if is_downgrade(current, desired):
        raise InvalidParameter("policy_type", "policy %s is enhanced; Azure Backup cannot turn an enhanced policy into a standard one" % name)
    before, after = comparable(current), comparable(desired)
    plan = Plan(before=before, after=after)
    if current is None:
        plan.add(CREATE_POLICY(name, vault=vault, policy_type=after["policyType"]))
    elif before != after:
        changed = sorted(key for key in after if before.get(key) != after[key])
        plan.add(UPDATE_POLICY(name, vault=vault, fields=changed, protected_items=current.get("protectedItemsCount", 0)))
        if current.get("protectedItemsCount"):
            plan.notice("%d protected items use policy %s: the change applies to their next backups and to the retention of their "
                        "existing recovery points." % (current["protectedItemsCount"], name))
    return plan
