# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The vault a module works in, and what it needs to reach Azure Backup.
    DOCUMENTATION = r"""
options:
  vault_name:
    description: The Recovery Services vault.
    type: str
    required: true
  resource_group:
    description: The vault's resource group.
    type: str
    required: true
requirements:
  - azure-mgmt-recoveryservicesbackup >= 11.0.0
  - azure-mgmt-recoveryservices >= 3.0.0
  - azure-identity
"""
