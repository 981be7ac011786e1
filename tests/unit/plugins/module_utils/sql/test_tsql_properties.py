"""Identifier and literal quoting, as properties: whatever a name or value holds, the quoted text is one T-SQL token that reads
back as exactly that name or value, so it can neither end early nor take in what follows it in a statement."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import InvalidParameter
from ansible_collections.drkit.microsoft.plugins.module_utils.sql.tsql import MAX_IDENTIFIER_LENGTH, quote_identifier, quote_literal
from ansible_collections.drkit.microsoft.tests.unit.plugins.module_utils.sql.tsql_reading import read_delimited

# What ends or opens a token in T-SQL, what starts a comment or a statement, and look-alikes a conversion to varchar may turn
# into ' or ] (modifier letter apostrophe, fullwidth apostrophe and bracket), beside any other character but NUL.
PIECES = st.one_of(st.sampled_from(["'", "''", "N'", "[", "]", "]]", '"', ";", "--", "/*", "*/", "$(x)", "`", "\u02bc", "\uff07", "\uff3d",
                                    "\U0001f600", "\n"]),
                   st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1, max_size=4))
VALUES = st.lists(PIECES, min_size=1, max_size=40).map("".join)
NAMES = VALUES.map(lambda value: value[:MAX_IDENTIFIER_LENGTH])
AROUND = st.sampled_from(["BACKUP DATABASE %s TO DISK = ?", "USE %s", "OPEN SYMMETRIC KEY %s DECRYPTION BY ASYMMETRIC KEY [k]"])
UNIT = settings(max_examples=300, deadline=None, database=None)


@UNIT
@given(name=NAMES, statement=AROUND)
def test_a_quoted_identifier_is_one_token_that_reads_back_as_the_name(name, statement):
    quoted = quote_identifier(name, "database")
    text = statement % quoted
    start = text.index("[")
    # The token ends exactly where the quoted name does: what the statement has after it stays outside.
    assert read_delimited(text, start + 1, "]") == (name, start + len(quoted), True)


@UNIT
@given(value=VALUES)
def test_a_quoted_literal_is_one_token_that_reads_back_as_the_value(value):
    quoted = quote_literal(value, "key_password")
    text = "BACKUP SERVICE MASTER KEY TO FILE = N'x' ENCRYPTION BY PASSWORD = %s; --" % quoted
    start = text.rindex("= N'") + 4
    assert read_delimited(text, start, "'") == (value, len(text) - len("; --"), True)


@settings(UNIT, max_examples=50)
@given(name=st.text(st.characters(exclude_categories=("Cs",)), min_size=MAX_IDENTIFIER_LENGTH + 1, max_size=4 * MAX_IDENTIFIER_LENGTH),
       parameter=st.sampled_from(["config_database", "databases", "symmetric_key"]))
def test_a_name_longer_than_a_sysname_is_refused_naming_the_parameter(name, parameter):
    with pytest.raises(InvalidParameter) as refused:
        quote_identifier(name, parameter)
    assert refused.value.parameter == parameter and "at most 128" in str(refused.value)


@settings(UNIT, max_examples=50)
@given(before=st.text(max_size=20), after=st.text(max_size=20))
def test_a_nul_is_refused_in_names_and_literals(before, after):
    for quote, parameter in ((quote_identifier, "database"), (quote_literal, "key_password")):
        with pytest.raises(InvalidParameter) as refused:
            quote((before + "\0" + after)[:MAX_IDENTIFIER_LENGTH], parameter)
        assert refused.value.parameter == parameter
