# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: preview_stats
short_description: A restore preview as set_stats data that AWX workflows can gate on
version_added: 0.1.0
description:
  - Takes the registered results of drkit.microsoft tasks on one host (their C(plan) and C(notices)) and returns the data for
    M(ansible.builtin.set_stats), summed over the hosts of the run by set_stats' aggregation.
  - The counts are integers that set_stats adds up across hosts, so a workflow sees the totals of the whole run; C(drkit_preview)
    is a dictionary that set_stats merges, one key per host.
  - The same summary as the C(drkit.microsoft.restore_preview) callback, for AWX, where a callback's own output is not a stat.
options:
  _input:
    description: Registered results of drkit.microsoft tasks (skipped and undefined results count as no change).
    type: list
    elements: dict
    required: true
  host:
    description: The host the results belong to, usually C(inventory_hostname).
    type: str
    required: true
author:
  - drkit.microsoft maintainers (@drkit-microsoft)
"""

EXAMPLES = r"""
- name: Publish the restore preview for AWX workflows
  ansible.builtin.set_stats:
    data: "{{ [restore_preview] | drkit.microsoft.preview_stats(inventory_hostname) }}"
"""

RETURN = r"""
_value:
  description: The data for set_stats.
  type: dict
  contains:
    drkit_preview:
      description: For the host, its C(actions) (action, target, effect, destructive, reversible) and C(notices).
      type: dict
    drkit_preview_hosts:
      description: Hosts previewed (1 per host; the run's total after aggregation).
      type: int
    drkit_preview_actions:
      description: Actions that would change something.
      type: int
    drkit_preview_destructive:
      description: Actions that delete or overwrite data.
      type: int
    drkit_preview_irreversible:
      description: Actions that cannot be undone.
      type: int
    drkit_preview_notices:
      description: What operators must know (version gates, key changes, certificates to reissue).
      type: int
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.drkit.microsoft.plugins.plugin_utils.preview_report import PreviewReport


def preview_stats(results, host):
    if not isinstance(results, list):
        raise AnsibleFilterError("preview_stats takes a list of registered task results, not %s" % type(results).__name__)
    report = PreviewReport()
    report.include(host)
    for result in results:
        if isinstance(result, dict):
            report.add(host, "", result)
    stats = report.stats()
    totals = stats["totals"]
    return {"drkit_preview": stats["hosts"], "drkit_preview_hosts": 1, "drkit_preview_actions": len(stats["hosts"][host]["actions"]),
            "drkit_preview_destructive": totals["destructive"], "drkit_preview_irreversible": totals["irreversible"],
            "drkit_preview_notices": totals["notices"]}


class FilterModule(object):
    def filters(self):
        return {"preview_stats": preview_stats}
