# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AnsibleModule of an Azure module (its options plus azure.azcollection's login options), and its login."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.drkit.microsoft.plugins.module_utils.azure.auth import AZURE_AUTH_ARGUMENT_SPEC, azure_credential, resolve_azure_auth


def azure_module(argument_spec):
    """An AnsibleModule (check mode supported) with *argument_spec* and the Azure login options."""
    spec = dict(argument_spec)
    spec.update(AZURE_AUTH_ARGUMENT_SPEC)
    return AnsibleModule(argument_spec=spec, supports_check_mode=True)


def azure_login(params):
    """(settings, credential) the module's Azure options resolve to."""
    settings = resolve_azure_auth(params)
    return settings, azure_credential(settings)
