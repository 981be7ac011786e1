"""WinRM options become pywinrm Protocol arguments; unsafe combinations are refused."""

import pytest
from winrm.protocol import Protocol

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.winrm.connection import WINRM_ARGUMENT_SPEC, winrm_protocol_kwargs


def params(**given):
    values = dict((k, spec.get("default")) for k, spec in WINRM_ARGUMENT_SPEC.items())
    values.update(dict(winrm_host="mabs01.contoso.com", winrm_user="CONTOSO\\backup", winrm_password="pw"), **given)
    return values


def test_defaults_are_ntlm_over_https_with_validation():
    kwargs = winrm_protocol_kwargs(params())
    assert kwargs["endpoint"] == "https://mabs01.contoso.com:5986/wsman"
    assert (kwargs["transport"], kwargs["server_cert_validation"]) == ("ntlm", "validate")


def test_http_uses_5985_and_ipv6_is_bracketed():
    assert winrm_protocol_kwargs(params(winrm_scheme="http"))["endpoint"] == "http://mabs01.contoso.com:5985/wsman"
    assert winrm_protocol_kwargs(params(winrm_host="::1", winrm_port=15986))["endpoint"] == "https://[::1]:15986/wsman"


def test_kwargs_are_accepted_by_pywinrm():
    protocol = Protocol(**winrm_protocol_kwargs(params(winrm_ca_trust_path="/etc/ssl/certs/ca-certificates.crt")))
    assert protocol.transport.endpoint == "https://mabs01.contoso.com:5986/wsman"
    assert protocol.transport.ca_trust_path == "/etc/ssl/certs/ca-certificates.crt"


def test_certificate_auth_passes_the_pair():
    kwargs = winrm_protocol_kwargs(params(winrm_transport="certificate", winrm_cert_pem="/c.pem", winrm_cert_key_pem="/k.pem"))
    assert (kwargs["cert_pem"], kwargs["cert_key_pem"]) == ("/c.pem", "/k.pem")


@pytest.mark.parametrize("given, parameter", [
    ({"winrm_transport": "basic", "winrm_scheme": "http"}, "winrm_transport"),
    ({"winrm_transport": "certificate", "winrm_scheme": "http"}, "winrm_scheme"),
    ({"winrm_read_timeout_sec": 20}, "winrm_read_timeout_sec"),
    ({"winrm_port": 0}, "winrm_port"),
])
def test_unsafe_or_impossible_settings_are_refused(given, parameter):
    with pytest.raises(InvalidParameter) as caught:
        winrm_protocol_kwargs(params(**given))
    assert caught.value.parameter == parameter
