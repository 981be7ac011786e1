# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The WinRM connection family: how a module reaches a Windows host with pywinrm.

The options are those of ansible's own winrm connection plugin (``ansible_winrm_transport``,
``ansible_winrm_server_cert_validation`` ...) prefixed ``winrm_``, so inventory values pass
straight through. :func:`winrm_protocol_kwargs` turns them into the keyword arguments of
``winrm.protocol.Protocol`` (pywinrm 0.5.0) after refusing what would fail later or send
credentials or payloads in clear: a module calls ``Protocol(**winrm_protocol_kwargs(params))``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import os
import re

from ansible.module_utils.basic import env_fallback

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter

_LOGIN_ENVIRONMENT = {"winrm_user": "DRKIT_WINRM_USER", "winrm_password": "DRKIT_WINRM_PASSWORD"}

WINRM_ARGUMENT_SPEC = dict(
    winrm_host=dict(type="str", required=True),
    winrm_port=dict(type="int"),
    winrm_scheme=dict(type="str", choices=["https", "http"], default="https"),
    winrm_path=dict(type="str", default="/wsman"),
    # The environment is how AWX's credential types hand over a login (extensions/controller).
    winrm_user=dict(type="str", fallback=(env_fallback, [_LOGIN_ENVIRONMENT["winrm_user"]])),
    winrm_password=dict(type="str", no_log=True, fallback=(env_fallback, [_LOGIN_ENVIRONMENT["winrm_password"]])),
    winrm_transport=dict(type="str", choices=["ntlm", "kerberos", "credssp", "certificate", "basic"], default="ntlm"),
    winrm_server_cert_validation=dict(type="str", choices=["validate", "ignore"], default="validate"),
    winrm_ca_trust_path=dict(type="path"),
    winrm_cert_pem=dict(type="path"),
    winrm_cert_key_pem=dict(type="path", no_log=False),
    winrm_operation_timeout_sec=dict(type="int", default=20),
    winrm_read_timeout_sec=dict(type="int", default=30),
    winrm_kerberos_delegation=dict(type="bool", default=False),
    winrm_message_encryption=dict(type="str", choices=["auto", "always", "never"], default="auto"),
    winrm_allow_unencrypted=dict(type="bool", default=False),
)

# The credential options each transport reads; pywinrm silently ignores the others.
_REQUIRED_CREDENTIALS = {
    "ntlm": ("winrm_user", "winrm_password"),
    "basic": ("winrm_user", "winrm_password"),
    "credssp": ("winrm_user", "winrm_password"),
    "kerberos": (),
    "certificate": ("winrm_cert_pem", "winrm_cert_key_pem"),
}
# Kerberos may name the principal whose ticket (from kinit) to use.
_OPTIONAL_CREDENTIALS = {"kerberos": ("winrm_user",)}
_CREDENTIAL_OPTIONS = ("winrm_user", "winrm_password", "winrm_cert_pem", "winrm_cert_key_pem")
# Transports that can encrypt WinRM messages themselves (pywinrm's encryption_available).
_MESSAGE_ENCRYPTING = ("ntlm", "kerberos", "credssp")

WINRM_REQUIRED_IF = [["winrm_transport", transport, list(options)] for transport, options in sorted(_REQUIRED_CREDENTIALS.items()) if options]

_HOST_NAME = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$")
_PATH = re.compile(r"^/[A-Za-z0-9_./-]*$")


def winrm_endpoint(params):
    """``https://host:5986/wsman``: IPv6 literals in brackets, the port by default the scheme's."""
    scheme = params["winrm_scheme"]
    port = params.get("winrm_port")
    if port is None:
        port = 5986 if scheme == "https" else 5985
    if not 1 <= port <= 65535:
        raise InvalidParameter("winrm_port", "must be between 1 and 65535")
    if not _PATH.fullmatch(params["winrm_path"]):
        raise InvalidParameter("winrm_path", "must be a URL path starting with '/', such as /wsman")
    return "%s://%s:%d%s" % (scheme, _url_host(params["winrm_host"]), port, params["winrm_path"])


def winrm_protocol_kwargs(params):
    """Keyword arguments for ``winrm.protocol.Protocol``, validated (nothing is contacted)."""
    transport, scheme = params["winrm_transport"], params["winrm_scheme"]
    params = _without_unused_environment_login(params, transport)
    _validate_credentials(params, transport)
    _validate_encryption(params, transport, scheme)
    operation, read = params["winrm_operation_timeout_sec"], params["winrm_read_timeout_sec"]
    if operation < 1:
        raise InvalidParameter("winrm_operation_timeout_sec", "must be at least 1 second")
    if read <= operation:
        # The host may hold a Receive for the whole operation timeout before answering.
        raise InvalidParameter("winrm_read_timeout_sec", "must be greater than winrm_operation_timeout_sec (%d)" % operation)
    if params["winrm_kerberos_delegation"] and transport != "kerberos":
        raise InvalidParameter("winrm_kerberos_delegation", "applies to winrm_transport=kerberos only (credssp always delegates)")
    kwargs = dict(
        endpoint=winrm_endpoint(params),
        transport=transport,
        username=params.get("winrm_user"),
        password=params.get("winrm_password"),
        server_cert_validation=params["winrm_server_cert_validation"],
        operation_timeout_sec=operation,
        read_timeout_sec=read,
        kerberos_delegation=params["winrm_kerberos_delegation"],
        message_encryption=params["winrm_message_encryption"],
    )
    if params.get("winrm_ca_trust_path"):
        kwargs["ca_trust_path"] = params["winrm_ca_trust_path"]
    if transport == "certificate":
        kwargs.update(cert_pem=params["winrm_cert_pem"], cert_key_pem=params["winrm_cert_key_pem"])
    return kwargs


def _url_host(host):
    """*host* as it goes in a URL; anything that could carry a port, path or user is refused."""
    literal = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        address = ipaddress.ip_address(literal)
    except ValueError:
        if _HOST_NAME.fullmatch(host):
            return host
        raise InvalidParameter("winrm_host", "must be a host name or IP address alone: the port goes in winrm_port, the scheme in winrm_scheme")
    if address.version == 6:
        # RFC 6874: the '%' before an IPv6 zone id is itself escaped in a URL.
        return "[%s]" % literal.replace("%", "%25")
    return literal


def _without_unused_environment_login(params, transport):
    """*params* without a login that came from the environment (an AWX credential, the operator's shell) when the
    transport logs on without a password (kerberos, certificate): it was not given for this host."""
    if transport not in ("kerberos", "certificate"):
        return params
    return dict(params, **dict((option, None) for option, variable in _LOGIN_ENVIRONMENT.items()
                               if params.get(option) is not None and params.get(option) == os.environ.get(variable)))


def _validate_credentials(params, transport):
    for option in _REQUIRED_CREDENTIALS[transport]:
        if params.get(option) is None:
            raise InvalidParameter(option, "is required with winrm_transport=%s" % transport)
    used = _REQUIRED_CREDENTIALS[transport] + _OPTIONAL_CREDENTIALS.get(transport, ())
    for option in _CREDENTIAL_OPTIONS:
        if option not in used and params.get(option) is not None:
            hint = " (get a ticket with kinit before the task)" if option == "winrm_password" and transport == "kerberos" else ""
            raise InvalidParameter(option, "is not used by winrm_transport=%s%s" % (transport, hint))


def _validate_encryption(params, transport, scheme):
    """Refuse a connection that would carry credentials or payloads in clear, unless allowed."""
    encryption = params["winrm_message_encryption"]
    if transport == "certificate" and scheme != "https":
        raise InvalidParameter("winrm_scheme", "must be https with winrm_transport=certificate (the certificate is presented in TLS)")
    if encryption == "always" and transport not in _MESSAGE_ENCRYPTING:
        raise InvalidParameter("winrm_message_encryption", "always needs winrm_transport ntlm, kerberos or credssp; %s cannot encrypt messages" % transport)
    if scheme == "http" and not params["winrm_allow_unencrypted"]:
        if transport == "basic":
            raise InvalidParameter("winrm_transport", "basic over http sends the password and every message in clear; use https, "
                                                      "or set winrm_allow_unencrypted (the host must also set AllowUnencrypted)")
        if encryption == "never":
            raise InvalidParameter("winrm_message_encryption", "never over http sends every message in clear; use auto, "
                                                               "or set winrm_allow_unencrypted (the host must also set AllowUnencrypted)")
    if params.get("winrm_ca_trust_path") and (scheme != "https" or params["winrm_server_cert_validation"] != "validate"):
        raise InvalidParameter("winrm_ca_trust_path", "is used only with winrm_scheme=https and winrm_server_cert_validation=validate")


class WindowsHost(object):
    """A Windows host the module reaches: its name for messages, and a new pywinrm Protocol per script.

    The options are validated when it is made, so bad input fails before anything is contacted."""

    def __init__(self, params):
        self.name = params["winrm_host"]
        self._kwargs = winrm_protocol_kwargs(params)

    def protocol(self):
        from winrm.protocol import Protocol  # imported late: modules report a missing pywinrm with missing_required_lib
        return Protocol(**self._kwargs)
