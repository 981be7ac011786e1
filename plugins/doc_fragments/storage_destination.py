# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The second storage account that holds replicas of the recovery points.
    DOCUMENTATION = r"""
options:
  destination:
    description:
      - The second storage account, usually in another region, that holds the replicas of the recovery points.
      - Its credentials work as those of the primary account; O(ca_bundle) applies to both.
    type: dict
    suboptions:
      account_url:
        description: Blob service endpoint of the destination account.
        type: str
        required: true
      account_key:
        description: Shared key of the destination account. Mutually exclusive with O(destination.sas_token).
        type: str
      sas_token:
        description: SAS for the destination account (read, write, create, delete, list).
        type: str
      auth_mode:
        description: V(key), V(sas) or V(login), as O(auth_mode).
        type: str
        choices: [key, sas, login]
      container:
        description: Container of every replica blob; by default each disk's own container name.
        type: str
"""
