# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The thin shell every module shares: plan, then preview or apply, then report.

A module's ``main`` reads state, asks its pure planner for a :class:`Plan` and hands
it to :func:`run_plan`. Errors raised anywhere inside :func:`reported_errors` become
one ``fail_json`` naming step, target and vendor code, with secrets masked.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from contextlib import contextmanager

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError, fail
from ansible_collections.drkit.microsoft.plugins.module_utils.core.plan import apply_plan
from ansible_collections.drkit.microsoft.plugins.module_utils.core.secrets import scrub_data


@contextmanager
def reported_errors(module):
    """Turn a :class:`DrkitError` raised in the block into the module's failure."""
    try:
        yield
    except DrkitError as error:
        fail(module, error)


def remember_secret(module, value):
    """Mask *value* (a secret the module made itself, e.g. a SAS) in every output."""
    if value:
        module.no_log_values.add(value)


def run_plan(module, plan, appliers, summarize=None):
    """Preview *plan* in check mode, apply it otherwise, and exit with the result.

    *summarize*, if given, is called with the appliers' outcomes (``None`` in check
    mode) and returns extra result keys, e.g. the recovery point that was created.
    """
    outcomes = None if module.check_mode else apply_plan(plan, appliers)
    result = plan.result(diff=module._diff)
    if summarize is not None:
        result.update(summarize(outcomes))
    module.exit_json(**scrub_data(result, module.no_log_values))
