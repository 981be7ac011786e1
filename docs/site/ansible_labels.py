# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Writes an intersphinx inventory (objects.inv, version 2) of the Ansible docs labels the generated pages link to.

Usage: python ansible_labels.py OUTPUT. Each label points at its page of https://docs.ansible.com/projects/ansible/devel/.
"""

import sys
import zlib

LABELS = {
    "common_return_values": ("reference_appendices/common_return_values.html#common-return-values", "Return Values"),
    "callback_plugins": ("plugins/callback.html#callback-plugins", "Callback plugins"),
    "ansible_configuration_settings": ("reference_appendices/config.html#ansible-configuration-settings", "Ansible Configuration Settings"),
    "ansible_collections.ansible.builtin.set_stats_module": (
        "collections/ansible/builtin/set_stats_module.html#ansible-collections-ansible-builtin-set-stats-module",
        "ansible.builtin.set_stats module"),
}


def inventory():
    header = b"# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n# The remainder of this file is compressed using zlib.\n"
    entries = "".join("%s std:label -1 %s %s\n" % (name, uri, title) for name, (uri, title) in sorted(LABELS.items()))
    return header + zlib.compress(entries.encode("utf-8"))


if __name__ == "__main__":
    with open(sys.argv[1], "wb") as output:
        output.write(inventory())
