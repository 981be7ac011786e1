# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Remove secrets from text before it leaves a module.

Ansible already masks the values of ``no_log`` options, but vendor errors and SDK
exceptions also carry secrets the module never received as options: SAS tokens it
generated, account keys inside connection strings, ``PWD=`` in ODBC strings, passwords
inside echoed T-SQL, bearer tokens in request dumps. Everything a module reports goes
through :func:`scrub` with the exact secret values it knows plus these patterns.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

REDACTED = "********"

# Each pattern keeps its first group (the name of the secret) and replaces the value.
_SECRET_PATTERNS = (
    # SAS signature in a URL or query string: ...&sig=abc%2F...
    re.compile(r"(\bsig=)[^&\s'\"]+", re.IGNORECASE),
    # Storage connection strings and ODBC strings: AccountKey=...; PWD={...}; Password=...;
    re.compile(r"(\b(?:AccountKey|SharedAccessSignature|PWD|Password|ClientSecret)=)(\{(?:[^}]|\}\})*\}|[^;\s'\"]+)",
               re.IGNORECASE),
    # T-SQL literals: ENCRYPTION BY PASSWORD = N'...', DECRYPTION BY PASSWORD = '...'
    re.compile(r"(\bBY\s+PASSWORD\s*=\s*N?)'(?:[^']|'')*'", re.IGNORECASE),
    # HTTP authorization headers and bearer tokens.
    re.compile(r"(\bAuthorization['\"]?\s*[:=]\s*['\"]?(?:Bearer|SharedKey|Basic|Negotiate|NTLM)?\s*)[^\s'\",}]+",
               re.IGNORECASE),
    re.compile(r"(\bBearer\s+)[A-Za-z0-9\-_=.~+/]+"),
    # JSON or dict dumps of well-known secret fields.
    re.compile(r"(['\"](?:password|secret|client_secret|account_key|sas_token|access_token)['\"]\s*:\s*)['\"][^'\"]*['\"]",
               re.IGNORECASE),
)


def scrub(text, secrets=()):
    """Return *text* with every known secret value and every secret-shaped field masked.

    *secrets* are exact values (passwords, keys, generated SAS tokens); empty and
    very short values are ignored because masking them would garble ordinary text.
    Longer values are replaced first so a secret containing another is fully masked.
    """
    if text is None:
        return text
    result = str(text)
    for value in sorted({str(s) for s in secrets if s is not None and len(str(s)) >= 4}, key=len, reverse=True):
        result = result.replace(value, REDACTED)
    for pattern in _SECRET_PATTERNS:
        result = pattern.sub(lambda m: m.group(1) + REDACTED, result)
    return result


def scrub_data(data, secrets=()):
    """Apply :func:`scrub` to every string inside nested dicts, lists and tuples."""
    if isinstance(data, dict):
        return dict((scrub(k, secrets), scrub_data(v, secrets)) for k, v in data.items())
    if isinstance(data, (list, tuple)):
        return [scrub_data(v, secrets) for v in data]
    if isinstance(data, str):
        return scrub(data, secrets)
    return data
