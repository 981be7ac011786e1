"""Identifier and literal quoting: the only T-SQL text built from user input."""
import pytest

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.tsql import quote_identifier, quote_literal


@pytest.mark.parametrize("name, quoted", [
    ("DRMS_Config_rms_contoso_com_443", "[DRMS_Config_rms_contoso_com_443]"),
    ("a]b", "[a]]b]"),
    ("]]", "[]]]]]"),
    ("x'; DROP DATABASE master --", "[x'; DROP DATABASE master --]"),
    ("[already]", "[[already]]]"),
    ("ünï ☃", "[ünï ☃]"),
])
def test_identifiers_are_quoted_as_quotename_does(name, quoted):
    assert quote_identifier(name, "database") == quoted


@pytest.mark.parametrize("name, rule", [("", "non-empty"), ("x" * 129, "at most 128"), ("a\0b", "NUL")])
def test_an_identifier_sql_server_cannot_hold_is_refused_naming_the_parameter(name, rule):
    with pytest.raises(InvalidParameter) as refused:
        quote_identifier(name, "config_database")
    assert refused.value.parameter == "config_database" and rule in str(refused.value)


def test_a_name_of_128_characters_is_a_valid_sysname():
    assert quote_identifier("x" * 128, "database") == "[%s]" % ("x" * 128)


@pytest.mark.parametrize("value, quoted", [
    ("C:\\Backups\\rms.bak", "N'C:\\Backups\\rms.bak'"),
    ("it's", "N'it''s'"),
    ("''", "N''''''"),
    ("P@ss'];--", "N'P@ss''];--'"),
    ("", "N''"),
])
def test_literals_double_each_quote(value, quoted):
    assert quote_literal(value, "backup_password") == quoted


def test_a_literal_with_nul_or_not_a_string_is_refused():
    for value in ("a\0b", 5):
        with pytest.raises(InvalidParameter) as refused:
            quote_literal(value, "backup_password")
        assert refused.value.parameter == "backup_password"
