# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AnsibleModule of a module that reaches a Windows host over WinRM: its options plus the winrm ones."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.drkit.microsoft.plugins.module_utils.winrm.connection import WINRM_ARGUMENT_SPEC, WINRM_REQUIRED_IF


def winrm_module(argument_spec):
    """An AnsibleModule (check mode supported) with *argument_spec* and the winrm options; fails when pywinrm is missing."""
    spec = dict(WINRM_ARGUMENT_SPEC)
    spec.update(argument_spec)
    module = AnsibleModule(argument_spec=spec, required_if=WINRM_REQUIRED_IF, supports_check_mode=True)
    # Found, not imported: pywinrm (with requests and its crypto) loads when the first script runs, after the options pass.
    if importlib.util.find_spec("winrm") is None:
        module.fail_json(msg=missing_required_lib("pywinrm"))
    return module
