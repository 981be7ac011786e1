"""SQL Server connection strings: driver attributes, and values that cannot inject attributes."""

import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.connection import (
    SQL_SERVER_ARGUMENT_SPEC, odbc_connection_string, pyodbc_connect_kwargs)


def params(**given):
    values = dict((k, spec.get("default")) for k, spec in SQL_SERVER_ARGUMENT_SPEC.items())
    values.update(dict(login_host="sql1.contoso.com", login_user="sa", login_password="pw"), **given)
    return values


def parse_odbc(text):
    """Parse an ODBC connection string the way the driver manager does: braces quote, '}}' is '}'."""
    attributes, position = {}, 0
    while position < len(text):
        equals = text.index("=", position)
        name = text[position:equals]
        position = equals + 1
        if text[position] == "{":
            value, position = "", position + 1
            while True:
                if text[position] == "}":
                    if text[position:position + 2] == "}}":
                        value, position = value + "}", position + 2
                        continue
                    position += 1
                    break
                value, position = value + text[position], position + 1
        else:
            end = text.index(";", position)
            value, position = text[position:end], end
        assert name not in attributes, "attribute %s given twice" % name
        attributes[name] = value
        position += 1  # the ';'
    return attributes


def test_freetds_string_has_tds_74_encryption_and_port():
    attributes = parse_odbc(odbc_connection_string(params()))
    assert attributes == {"Driver": "FreeTDS", "Server": "sql1.contoso.com", "Port": "1433", "TDS_Version": "7.4",
                          "Encryption": "require", "UID": "sa", "PWD": "pw", "APP": "drkit.microsoft"}


def test_driver_18_string_uses_encrypt_and_trust_attributes():
    attributes = parse_odbc(odbc_connection_string(params(odbc_driver="ODBC Driver 18 for SQL Server", encrypt="strict",
                                                          trust_server_certificate=True, login_port=14330)))
    assert attributes["Server"] == "tcp:sql1.contoso.com,14330"
    assert (attributes["Encrypt"], attributes["TrustServerCertificate"]) == ("strict", "yes")


def test_named_instance_goes_through_the_browser_without_a_port():
    attributes = parse_odbc(odbc_connection_string(params(instance="RMS")))
    assert attributes["Server"] == "sql1.contoso.com\\RMS" and "Port" not in attributes


def test_integrated_auth_sends_no_password():
    attributes = parse_odbc(odbc_connection_string(params(integrated_auth=True, login_user=None, login_password=None)))
    assert attributes["Trusted_Connection"] == "yes" and "PWD" not in attributes and "UID" not in attributes


@pytest.mark.parametrize("password", ["p'w]d;--", "pw;Database=master", "}{pw}}", "a}b;UID=admin;", "x=y"])
def test_a_password_stays_one_value_whatever_it_holds(password):
    attributes = parse_odbc(odbc_connection_string(params(login_password=password)))
    assert attributes["PWD"] == password
    assert attributes["UID"] == "sa" and "Database" not in attributes


@pytest.mark.parametrize("given, parameter", [
    ({"login_port": 70000}, "login_port"),
    ({"login_user": None, "login_password": None}, "login_user"),
    ({"encrypt": "strict"}, "encrypt"),
    ({"login_timeout": 0}, "login_timeout"),
])
def test_bad_combinations_are_refused_naming_the_parameter(given, parameter):
    with pytest.raises(InvalidParameter) as caught:
        odbc_connection_string(params(**given))
    assert caught.value.parameter == parameter


def test_connect_kwargs_autocommit_with_the_login_timeout():
    assert pyodbc_connect_kwargs(params(login_timeout=7)) == {"timeout": 7, "autocommit": True}
