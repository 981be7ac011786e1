# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one error type of the collection and its translation into ``fail_json``.

Backends catch their vendor's exceptions at the thin API wrapper and raise
:class:`DrkitError` naming the operation (``step``), what it acted on (``target``) and
the vendor's own error number or code, so an operator reading a failed task at 3 a.m.
sees ``step=backup_database target=[DRMS_Config] error_code=3201`` and the vendor text.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.drkit.microsoft.plugins.module_utils.core.secrets import scrub, scrub_data


class DrkitError(Exception):
    """A failed step: what was being done, to what, and what the vendor said.

    ``code`` is the vendor's number or code (SQL Server error number, Azure error code,
    HTTP status), ``None`` for errors the collection raises itself (bad input, refused
    restore). ``details`` holds extra facts worth reporting (dicts of plain values).
    ``retryable`` marks throttling/unavailability, the only errors wrappers retry.
    """

    def __init__(self, message, step=None, target=None, code=None, details=None, retryable=False):
        super(DrkitError, self).__init__(message)
        self.message = message
        self.step = step
        self.target = target
        self.code = code
        self.details = details or {}
        self.retryable = retryable

    def __str__(self):
        parts = []
        if self.step:
            parts.append(self.step)
        if self.target:
            parts.append("on %s" % self.target)
        prefix = " ".join(parts)
        code = " [%s]" % self.code if self.code is not None else ""
        return "%s%s: %s" % (prefix, code, self.message) if prefix else "%s%s" % (self.message, code)

    def as_result(self, secrets=()):
        """The ``fail_json`` keyword arguments for this error, secrets removed."""
        result = {
            "msg": scrub(str(self), secrets),
            "step": self.step,
            "target": scrub(self.target, secrets),
            "error_code": self.code,
        }
        if self.details:
            result["error_details"] = scrub_data(self.details, secrets)
        return result


class InvalidParameter(DrkitError):
    """Bad module input, raised before any side effect: names the parameter and the rule."""

    def __init__(self, parameter, rule):
        super(InvalidParameter, self).__init__(
            "parameter %s: %s" % (parameter, rule), step="validate_parameters", target=parameter)
        self.parameter = parameter


def fail(module, error, **extra):
    """Fail the module with *error*, masking every ``no_log`` value and known secret.

    ``module.no_log_values`` holds the option values Ansible already masks; secrets a
    module creates itself (generated SAS tokens) must be added there by the module.
    """
    secrets = set(module.no_log_values)
    result = error.as_result(secrets)
    result.update(scrub_data(extra, secrets))
    module.fail_json(**result)
