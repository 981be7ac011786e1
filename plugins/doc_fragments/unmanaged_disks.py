# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Which VM and which of its unmanaged disks (page blobs) a module works on.
    DOCUMENTATION = r"""
options:
  vm_name:
    description:
      - Name of the VM whose disks these are. Recovery points are found by it.
    type: str
    required: true
  disks:
    description:
      - Every unmanaged disk of the VM, in the account of O(account_url).
      - One of O(disks) and O(storage_profile) is required.
    type: list
    elements: dict
    suboptions:
      container:
        description: Container of the page blob.
        type: str
        required: true
      blob:
        description: Name of the page blob (the VHD).
        type: str
        required: true
      lun:
        description: LUN of a data disk, 0 to 63. Omit for the OS disk.
        type: int
  storage_profile:
    description:
      - The VM's storage profile, as Azure Resource Manager returns it (C(properties.storageProfile) of the VM,
        with C(osDisk.vhd.uri) and C(dataDisks[].vhd.uri) and C(lun)) or as the Python SDK does (snake_case keys).
      - Every disk it references is protected; all must be unmanaged and in the account of O(account_url).
    type: dict
"""
