#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rms_backup_info
short_description: List the AD RMS backup sets kept on the controller
version_added: 0.1.0
description:
  - Lists the backup sets that M(drkit.microsoft.rms_backup) wrote to O(manifest_directory), oldest first, from their manifests.
  - A set exists only once its manifest is written, which M(drkit.microsoft.rms_backup) does last, so every set listed was taken
    whole. Use M(drkit.microsoft.rms_backup) with O(drkit.microsoft.rms_backup#module:state=verified) to check that its files are
    still usable.
author:
  - drkit.microsoft maintainers (@drkit-microsoft)
extends_documentation_fragment:
  - drkit.microsoft.info_module
options:
  manifest_directory:
    description: Directory of the controller holding the sets' manifests.
    type: path
    required: true
  config_database:
    description: List only the sets of this configuration database.
    type: str
seealso:
  - module: drkit.microsoft.rms_backup
"""

EXAMPLES = r"""
- name: List the RMS backup sets
  drkit.microsoft.rms_backup_info:
    manifest_directory: /srv/backup-sets/rms
  register: rms_sets

- name: Show the newest one
  ansible.builtin.debug:
    msg: "{{ rms_sets.backup_sets | last }}"
"""

RETURN = r"""
backup_sets:
  description: The sets, oldest first, summarized from their manifests.
  returned: always
  type: list
  elements: dict
  contains:
    backup_set_id:
      description: Id of the set.
      type: str
    created:
      description: When the set's manifest was written (UTC).
      type: str
    manifest:
      description: Path of the manifest.
      type: str
    rms_version:
      description: RMS version recorded in the set.
      type: str
    key_storage:
      description: Where the cluster key lives (C(software), C(hsm), C(csp)).
      type: str
    databases:
      description: Per database, its role, name, file, backup finish time, size, checksums and whether it was verified when taken.
      type: list
      elements: dict
    messages:
      description: How many user-defined messages the set carries.
      type: int
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.drkit.microsoft.plugins.module_utils.core.module import reported_errors
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.backup_set import list_manifests


def summary(path, manifest):
    return {"backup_set_id": manifest["backup_set_id"], "created": manifest.get("created"), "manifest": path,
            "rms_version": manifest["rms"]["version"], "key_storage": manifest["rms"]["key_storage"],
            "databases": [dict((key, database.get(key)) for key in ("role", "name", "file", "backup_finish_date", "backup_size",
                                                                    "has_backup_checksums", "verified"))
                          for database in manifest["databases"]],
            "messages": manifest["messages"]["count"]}


def main():
    module = AnsibleModule(argument_spec=dict(manifest_directory=dict(type="path", required=True), config_database=dict(type="str")),
                           supports_check_mode=True)
    with reported_errors(module):
        sets = [summary(path, manifest) for path, manifest in list_manifests(module.params["manifest_directory"])
                if manifest.get("kind") == "rms"]
        wanted = module.params["config_database"]
        if wanted:
            sets = [s for s in sets if any(d["role"] == "configuration" and d["name"] == wanted for d in s["databases"])]
        module.exit_json(changed=False, backup_sets=sets)


if __name__ == "__main__":
    main()
