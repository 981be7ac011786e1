# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The WinRM connection family: how a module reaches a Windows host with pywinrm.

The options mirror ansible's own winrm connection plugin (``ansible_winrm_transport``,
``ansible_winrm_server_cert_validation`` ...) with a ``winrm_`` prefix, so inventory
values can be passed straight through. Certificate validation is on by default.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter

WINRM_ARGUMENT_SPEC = dict(
    winrm_host=dict(type="str", required=True),
    winrm_port=dict(type="int"),
    winrm_scheme=dict(type="str", choices=["https", "http"], default="https"),
    winrm_path=dict(type="str", default="/wsman"),
    winrm_user=dict(type="str"),
    winrm_password=dict(type="str", no_log=True),
    winrm_transport=dict(type="str", choices=["ntlm", "kerberos", "credssp", "certificate", "basic"], default="ntlm"),
    winrm_server_cert_validation=dict(type="str", choices=["validate", "ignore"], default="validate"),
    winrm_ca_trust_path=dict(type="path"),
    winrm_cert_pem=dict(type="path"),
    winrm_cert_key_pem=dict(type="path", no_log=False),
    winrm_operation_timeout_sec=dict(type="int", default=20),
    winrm_read_timeout_sec=dict(type="int", default=30),
    winrm_kerberos_delegation=dict(type="bool", default=False),
    winrm_message_encryption=dict(type="str", choices=["auto", "always", "never"], default="auto"),
)

WINRM_REQUIRED_IF = [
    ("winrm_transport", "certificate", ["winrm_cert_pem", "winrm_cert_key_pem"]),
    ("winrm_transport", "basic", ["winrm_user", "winrm_password"]),
    ("winrm_transport", "ntlm", ["winrm_user", "winrm_password"]),
    ("winrm_transport", "credssp", ["winrm_user", "winrm_password"]),
]


def winrm_endpoint(params):
    """``https://host:5986/wsman``; IPv6 literals in brackets; default port per scheme."""
    host = params["winrm_host"]
    if ":" in host and not host.startswith("["):
        host = "[%s]" % host
    scheme = params.get("winrm_scheme", "https")
    port = params.get("winrm_port")
    if port is None:
        port = 5986 if scheme == "https" else 5985
    if not 1 <= port <= 65535:
        raise InvalidParameter("winrm_port", "must be between 1 and 65535")
    path = "/" + (params.get("winrm_path") or "/wsman").lstrip("/")
    return "%s://%s:%d%s" % (scheme, host, port, path)


def winrm_protocol_kwargs(params):
    """Keyword arguments for ``winrm.protocol.Protocol``, validated."""
    transport = params.get("winrm_transport", "ntlm")
    if transport == "basic" and params.get("winrm_scheme", "https") == "http":
        # Basic sends the password in every request; WinRM refuses it unencrypted unless AllowUnencrypted.
        raise InvalidParameter("winrm_transport", "basic authentication is allowed over https only")
    if transport == "certificate" and params.get("winrm_scheme", "https") != "https":
        raise InvalidParameter("winrm_scheme", "certificate authentication needs https")
    operation, read = params.get("winrm_operation_timeout_sec", 20), params.get("winrm_read_timeout_sec", 30)
    if operation < 1 or read <= operation:
        raise InvalidParameter("winrm_read_timeout_sec", "must be greater than winrm_operation_timeout_sec (and both positive)")
    kwargs = dict(
        endpoint=winrm_endpoint(params),
        transport=transport,
        username=params.get("winrm_user"),
        password=params.get("winrm_password"),
        server_cert_validation=params.get("winrm_server_cert_validation", "validate"),
        operation_timeout_sec=operation,
        read_timeout_sec=read,
        kerberos_delegation=bool(params.get("winrm_kerberos_delegation")),
        message_encryption=params.get("winrm_message_encryption", "auto"),
    )
    if params.get("winrm_ca_trust_path"):
        kwargs["ca_trust_path"] = params["winrm_ca_trust_path"]
    if transport == "certificate":
        kwargs.update(cert_pem=params["winrm_cert_pem"], cert_key_pem=params["winrm_cert_key_pem"])
    return kwargs
