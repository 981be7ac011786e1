# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AnsibleModule of an Azure module (its options plus azure.azcollection's login options), and its login."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.drkit.microsoft.plugins.module_utils.azure.auth import AZURE_AUTH_ARGUMENT_SPEC, azure_credential, resolve_azure_auth
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter

# The options of the Azure modules whose value is one path segment of a Resource Manager URL; vm and vms entries name VMs.
RESOURCE_NAME_OPTIONS = ("name", "resource_group", "vault_name", "policy_name", "job_id", "subscription_id")
# HTTP clients resolve the dot segments of a path away (RFC 3986 5.2.4, urllib3 does) and an empty one changes its shape: a
# name that is one of these would address another resource.
UNADDRESSABLE_NAMES = ("", ".", "..")


def azure_module(argument_spec):
    """An AnsibleModule (check mode supported) with *argument_spec* and the Azure login options."""
    spec = dict(argument_spec)
    spec.update(AZURE_AUTH_ARGUMENT_SPEC)
    return AnsibleModule(argument_spec=spec, supports_check_mode=True)


def azure_login(params):
    """(settings, credential) the module's Azure options resolve to; resource names no URL can carry are refused first."""
    check_resource_names(params)
    settings = resolve_azure_auth(params)
    return settings, azure_credential(settings)


def check_resource_names(params):
    """Refuse a resource name of *params* that cannot be one path segment (UNADDRESSABLE_NAMES), naming its option."""
    named = [(option, params.get(option)) for option in RESOURCE_NAME_OPTIONS]
    entries = [("vm", params.get("vm"))] + [("vms[%d]" % index, entry) for index, entry in enumerate(params.get("vms") or [])]
    for prefix, entry in entries:
        if isinstance(entry, dict):
            named.extend(("%s.%s" % (prefix, key), entry.get(key)) for key in ("name", "resource_group"))
    for option, value in named:
        if value in UNADDRESSABLE_NAMES:
            raise InvalidParameter(option, "%r cannot name an Azure resource: a URL path cannot carry it as a name" % value)
