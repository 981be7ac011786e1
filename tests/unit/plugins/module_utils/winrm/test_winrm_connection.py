"""WinRM options become pywinrm Protocol arguments; impossible or clear-text connections are refused."""

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from winrm.protocol import Protocol

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.winrm.connection import (
    WINRM_ARGUMENT_SPEC, WINRM_REQUIRED_IF, winrm_protocol_kwargs)

CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def params(**given):
    values = dict((name, spec.get("default")) for name, spec in WINRM_ARGUMENT_SPEC.items())
    values.update(dict(winrm_host="mabs01.contoso.com", winrm_user="CONTOSO\\backup", winrm_password="pw"), **given)
    return values


@pytest.fixture
def client_certificate(tmp_path):
    # pywinrm checks that both files exist when the Protocol is made.
    cert, key = tmp_path / "client.pem", tmp_path / "client.key"
    cert.write_text("certificate")
    key.write_text("key")
    return dict(winrm_transport="certificate", winrm_user=None, winrm_password=None, winrm_cert_pem=str(cert), winrm_cert_key_pem=str(key))


def test_defaults_are_ntlm_over_https_on_5986_validating_the_certificate():
    assert winrm_protocol_kwargs(params()) == dict(
        endpoint="https://mabs01.contoso.com:5986/wsman", transport="ntlm", username="CONTOSO\\backup", password="pw",
        server_cert_validation="validate", operation_timeout_sec=20, read_timeout_sec=30, kerberos_delegation=False,
        message_encryption="auto")


def test_pywinrm_takes_the_arguments_as_given():
    protocol = Protocol(**winrm_protocol_kwargs(params(winrm_ca_trust_path=CA_BUNDLE, winrm_operation_timeout_sec=60,
                                                       winrm_read_timeout_sec=70, winrm_message_encryption="always")))
    transport = protocol.transport
    assert (transport.endpoint, transport.auth_method, transport.username) == ("https://mabs01.contoso.com:5986/wsman", "ntlm", "CONTOSO\\backup")
    assert (transport.ca_trust_path, transport.server_cert_validation, transport.message_encryption) == (CA_BUNDLE, "validate", "always")
    assert (protocol.operation_timeout_sec, protocol.read_timeout_sec) == (60, 70)


@pytest.mark.parametrize("host, port, endpoint", [
    ("mabs01", None, "http://mabs01:5985/wsman"),
    ("192.0.2.10", 8080, "http://192.0.2.10:8080/wsman"),
    ("2001:db8::10", None, "http://[2001:db8::10]:5985/wsman"),
    ("[2001:db8::10]", 15985, "http://[2001:db8::10]:15985/wsman"),
    ("fe80::1%eth0", None, "http://[fe80::1%25eth0]:5985/wsman"),
])
def test_http_endpoints_use_5985_and_bracket_ipv6(host, port, endpoint):
    assert winrm_protocol_kwargs(params(winrm_scheme="http", winrm_host=host, winrm_port=port))["endpoint"] == endpoint


def test_ntlm_over_http_is_allowed_because_it_encrypts_the_messages():
    protocol = Protocol(**winrm_protocol_kwargs(params(winrm_scheme="http")))
    assert protocol.transport.message_encryption == "auto"


def test_kerberos_uses_the_ticket_of_the_controller_user_and_may_delegate_it():
    kwargs = winrm_protocol_kwargs(params(winrm_transport="kerberos", winrm_user=None, winrm_password=None, winrm_kerberos_delegation=True))
    protocol = Protocol(**kwargs)
    assert (protocol.transport.auth_method, protocol.transport.username, protocol.kerberos_delegation) == ("kerberos", None, True)


def test_kerberos_may_name_the_principal():
    assert winrm_protocol_kwargs(params(winrm_transport="kerberos", winrm_user="backup@CONTOSO.COM", winrm_password=None))["username"] == \
        "backup@CONTOSO.COM"


def test_certificate_auth_presents_the_pair_over_https(client_certificate):
    kwargs = winrm_protocol_kwargs(params(**client_certificate))
    protocol = Protocol(**kwargs)
    assert (protocol.transport.cert_pem, protocol.transport.cert_key_pem) == (client_certificate["winrm_cert_pem"],
                                                                              client_certificate["winrm_cert_key_pem"])
    assert protocol.transport.auth_method == "certificate"


@pytest.mark.parametrize("given", [
    dict(winrm_transport="basic", winrm_scheme="http"),
    dict(winrm_message_encryption="never", winrm_scheme="http"),
])
def test_clear_text_over_http_needs_the_explicit_allowance(given):
    with pytest.raises(InvalidParameter):
        winrm_protocol_kwargs(params(**given))
    kwargs = winrm_protocol_kwargs(params(winrm_allow_unencrypted=True, **given))
    assert kwargs["endpoint"].startswith("http://")


def test_basic_over_https_needs_no_allowance():
    assert winrm_protocol_kwargs(params(winrm_transport="basic"))["transport"] == "basic"


@pytest.mark.parametrize("given, parameter, rule", [
    ({"winrm_transport": "basic", "winrm_scheme": "http"}, "winrm_transport", "in clear"),
    ({"winrm_message_encryption": "never", "winrm_scheme": "http"}, "winrm_message_encryption", "in clear"),
    ({"winrm_transport": "basic", "winrm_message_encryption": "always"}, "winrm_message_encryption", "cannot encrypt"),
    ({"winrm_password": None}, "winrm_password", "required with winrm_transport=ntlm"),
    ({"winrm_user": None}, "winrm_user", "required with winrm_transport=ntlm"),
    ({"winrm_transport": "credssp", "winrm_password": None}, "winrm_password", "required with winrm_transport=credssp"),
    ({"winrm_transport": "kerberos"}, "winrm_password", "kinit"),
    ({"winrm_transport": "certificate"}, "winrm_cert_pem", "required with winrm_transport=certificate"),
    ({"winrm_cert_pem": "/c.pem"}, "winrm_cert_pem", "not used by winrm_transport=ntlm"),
    ({"winrm_kerberos_delegation": True}, "winrm_kerberos_delegation", "kerberos only"),
    ({"winrm_ca_trust_path": CA_BUNDLE, "winrm_server_cert_validation": "ignore"}, "winrm_ca_trust_path", "validate"),
    ({"winrm_ca_trust_path": CA_BUNDLE, "winrm_scheme": "http"}, "winrm_ca_trust_path", "https"),
    ({"winrm_read_timeout_sec": 20}, "winrm_read_timeout_sec", "greater than winrm_operation_timeout_sec (20)"),
    ({"winrm_operation_timeout_sec": 0}, "winrm_operation_timeout_sec", "at least 1"),
    ({"winrm_port": 0}, "winrm_port", "between 1 and 65535"),
    ({"winrm_port": 65536}, "winrm_port", "between 1 and 65535"),
    ({"winrm_path": "wsman"}, "winrm_path", "starting with '/'"),
    ({"winrm_path": "/wsman?x=1"}, "winrm_path", "URL path"),
    ({"winrm_host": "mabs01:5986"}, "winrm_host", "port goes in winrm_port"),
    ({"winrm_host": "https://mabs01"}, "winrm_host", "scheme in winrm_scheme"),
    ({"winrm_host": "evil@mabs01"}, "winrm_host", "host name or IP address"),
    ({"winrm_host": "mabs01/wsman#"}, "winrm_host", "host name or IP address"),
    ({"winrm_host": ""}, "winrm_host", "host name or IP address"),
])
def test_impossible_or_unsafe_settings_are_refused_naming_parameter_and_rule(given, parameter, rule):
    with pytest.raises(InvalidParameter) as caught:
        winrm_protocol_kwargs(params(**given))
    assert caught.value.parameter == parameter
    assert rule in str(caught.value)


def test_certificate_auth_needs_https_and_no_password(client_certificate):
    with pytest.raises(InvalidParameter) as caught:
        winrm_protocol_kwargs(params(winrm_scheme="http", **client_certificate))
    assert caught.value.parameter == "winrm_scheme"
    with pytest.raises(InvalidParameter) as caught:
        winrm_protocol_kwargs(params(**dict(client_certificate, winrm_password="pw")))
    assert caught.value.parameter == "winrm_password"


def validate(**given):
    return ArgumentSpecValidator(WINRM_ARGUMENT_SPEC, required_if=WINRM_REQUIRED_IF).validate(given)


def test_the_argument_spec_fills_the_defaults_the_builder_reads():
    result = validate(winrm_host="mabs01", winrm_user="backup", winrm_password="pw")
    assert not result.error_messages
    assert winrm_protocol_kwargs(result.validated_parameters)["endpoint"] == "https://mabs01:5986/wsman"
    assert "pw" in result._no_log_values  # pylint: disable=protected-access


@pytest.mark.parametrize("transport, missing", [("ntlm", "winrm_user, winrm_password"), ("certificate", "winrm_cert_pem, winrm_cert_key_pem")])
def test_required_if_names_what_each_transport_needs(transport, missing):
    assert any(missing in error for error in validate(winrm_host="mabs01", winrm_transport=transport).error_messages)


def test_a_login_from_the_environment_is_the_fallback_and_is_left_out_where_the_transport_takes_none(monkeypatch):
    monkeypatch.setenv("DRKIT_WINRM_USER", "CONTOSO\\awx")
    monkeypatch.setenv("DRKIT_WINRM_PASSWORD", "Env-pw")
    validated = ArgumentSpecValidator(WINRM_ARGUMENT_SPEC).validate({"winrm_host": "mabs01.contoso.com"}).validated_parameters
    assert (validated["winrm_user"], validated["winrm_password"]) == ("CONTOSO\\awx", "Env-pw")
    kerberos = winrm_protocol_kwargs(dict(validated, winrm_transport="kerberos"))
    assert (kerberos["username"], kerberos["password"]) == (None, None)
    # Given for the host (not from the environment), a password kerberos cannot use is still refused.
    with pytest.raises(InvalidParameter, match="winrm_password: is not used by winrm_transport=kerberos"):
        winrm_protocol_kwargs(params(winrm_transport="kerberos", winrm_user=None, winrm_password="given"))
