"""SQL Server connection strings: each driver's attributes, values that cannot inject, and the refusals."""

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.core.secrets import scrub
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.connection import (
    SQL_SERVER_ARGUMENT_SPEC, SQL_SERVER_MUTUALLY_EXCLUSIVE, SQL_SERVER_REQUIRED_IF, freetds_configuration, odbc_connection_string,
    pyodbc_connect_kwargs)

DRIVER_18 = "ODBC Driver 18 for SQL Server"
NASTY_PASSWORDS = ["p'w]d;--", "pw;Database=master", "}{pw}}", "a}b;UID=admin;", "x=y", "{pw", "pw}", "};Driver={/tmp/evil.so}", " sp "]


def params(**given):
    values = dict((name, spec.get("default")) for name, spec in SQL_SERVER_ARGUMENT_SPEC.items())
    values.update(dict(login_host="sql1.contoso.com", login_user="sa", login_password="pw"), **given)
    return values


def parse_odbc(text):
    """Read a connection string as unixODBC and the Microsoft driver do: '{' quotes up to a '}' not doubled."""
    attributes, position = {}, 0
    while position < len(text):
        equals = text.index("=", position)
        name, position = text[position:equals], equals + 1
        if text[position] == "{":
            value, position = "", position + 1
            while not (text[position] == "}" and text[position + 1:position + 2] != "}"):
                value += text[position]
                position += 2 if text[position] == "}" else 1
            position += 1
        else:
            end = text.find(";", position)
            value, position = text[position:end], end
        assert text[position] == ";", "attribute %s is not followed by ';'" % name
        assert name.lower() not in (n.lower() for n in attributes), "attribute %s given twice" % name
        attributes[name] = value
        position += 1
    return attributes


def parse_freetds_13(text):
    """Read a connection string as FreeTDS 1.3 does: a braced value ends at the first '};', '}}' stays as is."""
    attributes, position = {}, 0
    while position < len(text):
        equals = text.index("=", position)
        name, position = text[position:equals], equals + 1
        if text[position] == "{":
            end = text.index("};", position)
            value, position = text[position + 1:end], end + 2
        else:
            end = text.index(";", position)
            value, position = text[position:end], end + 1
        attributes[name] = value
    return attributes


def conf_entry(text):
    """{key: value} of the one section of a freetds.conf text, and the section's name."""
    lines = text.strip().splitlines()
    return lines[0], dict(line.split(" = ", 1) for line in lines[1:])


def test_freetds_names_its_private_entry_which_speaks_tds_74_with_required_encryption_on_1433():
    text = odbc_connection_string(params())
    expected = {"Driver": "FreeTDS", "Servername": "drkit", "ClientCharset": "UTF-8", "UID": "sa", "PWD": "pw", "APP": "drkit.microsoft"}
    assert parse_odbc(text) == expected
    assert parse_freetds_13(text) == expected
    assert conf_entry(freetds_configuration(params())) == ("[drkit]", {
        "host": "sql1.contoso.com", "port": "1433", "tds version": "7.4", "encryption": "require", "ca file": "system",
        "check certificate hostname": "yes"})


def test_freetds_validates_with_the_given_ca_or_not_at_all_when_told_to_trust():
    assert conf_entry(freetds_configuration(params(ca_bundle="/etc/drkit/sql-ca.pem")))[1]["ca file"] == "/etc/drkit/sql-ca.pem"
    trusting = conf_entry(freetds_configuration(params(trust_server_certificate=True)))[1]
    assert "ca file" not in trusting and "check certificate hostname" not in trusting
    assert freetds_configuration(params(odbc_driver=DRIVER_18)) is None


@pytest.mark.parametrize("given, rule", [
    (dict(ca_bundle="/ca.pem", odbc_driver=DRIVER_18), "is for FreeTDS"),
    (dict(ca_bundle="/ca.pem", trust_server_certificate=True), "cannot be combined"),
    (dict(ca_bundle="/ca.pem\nca file = /evil.pem"), "line breaks"),
    (dict(ca_bundle=" /ca.pem"), "surrounding spaces"),
])
def test_a_ca_bundle_that_cannot_apply_is_refused(given, rule):
    with pytest.raises(InvalidParameter) as refused:
        odbc_connection_string(params(**given))
    assert refused.value.parameter == "ca_bundle" and rule in str(refused.value)


def test_driver_18_names_the_port_in_server_and_validates_the_certificate_by_default():
    attributes = parse_odbc(odbc_connection_string(params(odbc_driver=DRIVER_18, login_port=14330)))
    assert attributes == {"Driver": DRIVER_18, "Server": "tcp:sql1.contoso.com,14330", "Encrypt": "yes", "TrustServerCertificate": "no",
                          "UID": "sa", "PWD": "pw", "APP": "drkit.microsoft"}


@pytest.mark.parametrize("encrypt, driver_18, freetds", [("mandatory", "yes", "require"), ("optional", "no", "request")])
def test_encrypt_maps_to_each_drivers_own_words(encrypt, driver_18, freetds):
    assert parse_odbc(odbc_connection_string(params(odbc_driver=DRIVER_18, encrypt=encrypt)))["Encrypt"] == driver_18
    assert conf_entry(freetds_configuration(params(encrypt=encrypt)))[1]["encryption"] == freetds


def test_strict_and_trusting_the_certificate_reach_driver_18():
    assert parse_odbc(odbc_connection_string(params(odbc_driver=DRIVER_18, encrypt="strict")))["Encrypt"] == "strict"
    trusting = parse_odbc(odbc_connection_string(params(odbc_driver=DRIVER_18, trust_server_certificate=True)))
    assert trusting["TrustServerCertificate"] == "yes"


def test_a_named_instance_is_left_to_sql_browser_without_a_port():
    attributes = parse_odbc(odbc_connection_string(params(odbc_driver=DRIVER_18, instance="MSSQLSERVER01")))
    assert attributes["Server"] == "sql1.contoso.com\\MSSQLSERVER01"
    entry = conf_entry(freetds_configuration(params(instance="MSSQLSERVER01")))[1]
    assert entry["instance"] == "MSSQLSERVER01" and "port" not in entry


@pytest.mark.parametrize("driver", ["FreeTDS", DRIVER_18])
def test_integrated_auth_sends_the_kerberos_ticket_and_no_credentials(driver):
    attributes = parse_odbc(odbc_connection_string(params(odbc_driver=driver, integrated_auth=True, login_user=None, login_password=None)))
    assert attributes["Trusted_Connection"] == "yes"
    assert "UID" not in attributes and "PWD" not in attributes


@pytest.mark.parametrize("password", NASTY_PASSWORDS)
def test_driver_18_gets_any_password_back_as_one_value(password):
    attributes = parse_odbc(odbc_connection_string(params(odbc_driver=DRIVER_18, login_password=password)))
    assert attributes["PWD"] == password
    assert sorted(attributes) == ["APP", "Driver", "Encrypt", "PWD", "Server", "TrustServerCertificate", "UID"]
    assert attributes["Driver"] == DRIVER_18


@pytest.mark.parametrize("password", [p for p in NASTY_PASSWORDS if "}" not in p])
def test_freetds_and_unixodbc_read_a_password_without_brace_the_same(password):
    text = odbc_connection_string(params(login_password=password))
    assert parse_odbc(text)["PWD"] == password
    assert parse_freetds_13(text) == parse_odbc(text)


@pytest.mark.parametrize("parameter", ["login_password", "login_user", "application_name"])
def test_freetds_refuses_a_closing_brace_it_would_garble(parameter):
    # FreeTDS 1.3 would read {a}}b} as "a}}b", and a "};" inside a value as the end of it.
    with pytest.raises(InvalidParameter) as caught:
        odbc_connection_string(params(**{parameter: "a}b-secret"}))
    assert caught.value.parameter == parameter
    assert "a}b-secret" not in str(caught.value)


def test_a_nul_character_is_refused():
    with pytest.raises(InvalidParameter) as caught:
        odbc_connection_string(params(odbc_driver=DRIVER_18, login_password="pw\0;Database=master"))
    assert caught.value.parameter == "login_password"


@pytest.mark.parametrize("password", NASTY_PASSWORDS)
def test_scrub_masks_the_password_of_a_driver_18_string(password):
    text = odbc_connection_string(params(odbc_driver=DRIVER_18, login_password="S3cr" + password))
    assert "S3cr" not in scrub(text)
    assert "UID={sa}" in scrub(text)


@pytest.mark.parametrize("given, parameter, rule", [
    ({"login_port": 0}, "login_port", "between 1 and 65535"),
    ({"login_port": 65536}, "login_port", "between 1 and 65535"),
    ({"login_port": 1433, "instance": "RMS"}, "instance", "mutually exclusive with login_port"),
    ({"instance": "RMS\\X"}, "instance", "instance name"),
    ({"instance": "A" * 17}, "instance", "up to 16"),
    ({"login_host": "sql1,1433"}, "login_host", "port goes in login_port"),
    ({"login_host": "sql1\\RMS"}, "login_host", "named instance in instance"),
    ({"login_host": "sql1;Database=master"}, "login_host", "host name or IP address"),
    ({"integrated_auth": True, "login_password": None}, "login_user", "integrated_auth"),
    ({"integrated_auth": True, "login_user": None}, "login_password", "integrated_auth"),
    ({"login_user": None, "login_password": None}, "login_user", "required unless integrated_auth"),
    ({"login_password": None}, "login_password", "required with login_user"),
    ({"login_timeout": 0}, "login_timeout", "at least 1 second"),
    ({"encrypt": "strict"}, "encrypt", "Microsoft ODBC Driver 18"),
    ({"odbc_driver": DRIVER_18, "encrypt": "strict", "trust_server_certificate": True}, "trust_server_certificate", "always validates"),
    ({"odbc_driver": "SQL Server Native Client 11.0"}, "odbc_driver", "depends on the driver"),
])
def test_what_the_drivers_cannot_honour_is_refused_naming_parameter_and_rule(given, parameter, rule):
    with pytest.raises(InvalidParameter) as caught:
        odbc_connection_string(params(**given))
    assert caught.value.parameter == parameter
    assert rule in str(caught.value)


@pytest.mark.parametrize("driver", ["freetds", "/usr/lib/x86_64-linux-gnu/odbc/libtdsodbc.so", "ODBC Driver 17 for SQL Server",
                                    "/opt/microsoft/msodbcsql18/lib64/libmsodbcsql-18.5.so.1.1"])
def test_drivers_are_recognised_by_name_or_library(driver):
    assert parse_odbc(odbc_connection_string(params(odbc_driver=driver)))["Driver"] == driver


def test_connect_kwargs_time_the_login_and_autocommit():
    assert pyodbc_connect_kwargs(params(login_timeout=7)) == {"timeout": 7, "autocommit": True}


def validate(**given):
    validator = ArgumentSpecValidator(SQL_SERVER_ARGUMENT_SPEC, mutually_exclusive=SQL_SERVER_MUTUALLY_EXCLUSIVE,
                                      required_if=SQL_SERVER_REQUIRED_IF)
    return validator.validate(given)


def test_the_argument_spec_fills_the_defaults_the_builder_reads():
    result = validate(login_host="sql1", login_user="sa", login_password="pw")
    assert not result.error_messages
    assert "port = 1433" in freetds_configuration(result.validated_parameters)
    assert "pw" in result._no_log_values  # pylint: disable=protected-access


@pytest.mark.parametrize("given, message", [
    (dict(login_host="sql1", integrated_auth=True, login_port=1433, instance="RMS"), "mutually exclusive"),
    (dict(login_host="sql1"), "integrated_auth is False"),
])
def test_the_argument_spec_constraints_refuse_before_the_module_runs(given, message):
    assert any(message in error for error in validate(**given).error_messages)


def test_a_login_from_the_environment_is_the_fallback_and_integrated_auth_ignores_it(monkeypatch):
    monkeypatch.setenv("DRKIT_SQL_LOGIN_USER", "awx_backup")
    monkeypatch.setenv("DRKIT_SQL_LOGIN_PASSWORD", "Env-pw")
    validated = ArgumentSpecValidator(SQL_SERVER_ARGUMENT_SPEC).validate({"login_host": "sql1.contoso.com"}).validated_parameters
    assert (validated["login_user"], validated["login_password"]) == ("awx_backup", "Env-pw")
    integrated = parse_odbc(odbc_connection_string(dict(validated, odbc_driver="ODBC Driver 18 for SQL Server", integrated_auth=True)))
    assert integrated["Trusted_Connection"] == "yes" and "UID" not in integrated and "PWD" not in integrated
    with pytest.raises(InvalidParameter, match="login_user"):
        odbc_connection_string(params(integrated_auth=True, login_user="given", login_password=None))
