# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""azure-core failures as :class:`DrkitError`, for every backend built on azure-core (Blob, Resource Manager).

Each service words its errors differently, so the caller says how to read the service's code and
message from an ``HttpResponseError``; the rest (step, target, HTTP status, which statuses are
retryable, transport failures) is the same everywhere.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from contextlib import contextmanager

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError

# Throttling and unavailability: what the SDKs retry, and all a DrkitError calls retryable.
RETRYABLE_STATUSES = (408, 429, 500, 502, 503, 504)


@contextmanager
def azure_core_errors(operation, target, code_and_message):
    """Report any azure-core failure inside the block as *operation* on *target*.

    *code_and_message(error)* gives the service's (code, message) of an HttpResponseError, either None
    when the answer has none: the HTTP status and the exception's first line stand in."""
    from azure.core.exceptions import AzureError, HttpResponseError  # pylint: disable=import-outside-toplevel
    try:
        yield
    except HttpResponseError as error:
        code, message = code_and_message(error)
        raise DrkitError(message or str(error).splitlines()[0], step=operation, target=target, code=code or error.status_code,
                         details={"status": error.status_code} if error.status_code else None,
                         retryable=error.status_code in RETRYABLE_STATUSES)
    except AzureError as error:
        raise DrkitError(str(error).splitlines()[0] if str(error) else type(error).__name__, step=operation,
                         target=target, code=type(error).__name__, retryable=True)
