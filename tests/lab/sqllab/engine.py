"""The T-SQL the lab answers: each statement kind is one pattern and one handler.

A batch is one statement (the collection sends one at a time). What no pattern matches is
answered with error 50000 naming the statement, never guessed at.
"""
import re

from sqllab import errors
from sqllab.prelogin import SERVER_VERSION

VERSION_TEXT = ("Microsoft SQL Server 2022 (RTM-CU14) (KB5038325) - %d.%d.%d.%d (X64) \n\tdrkit lab simulator \n\t"
                "Developer Edition (64-bit) on Linux (Debian GNU/Linux 12) <X64>" % SERVER_VERSION)


class Reply:
    """What a statement answers: result sets, messages; the session adds the DONE tokens."""

    def __init__(self):
        self.result_sets = []  # [(columns, rows)]
        self.messages = []  # [(number, text, severity, state)]
        self.row_count = None

    def result_set(self, columns, rows):
        self.result_sets.append((columns, list(rows)))

    def info(self, number, text, state=1):
        self.messages.append((number, text, 0 if number == 0 else 10, state))


STATEMENTS = []


def statement(pattern):
    def register(handler):
        STATEMENTS.append((re.compile(pattern, re.IGNORECASE | re.DOTALL), handler))
        return handler
    return register


def execute(session, text, params=None):
    """Run one statement for *session* with *params* ({"@P1": value}); returns a Reply or raises SqlError."""
    stripped = text.strip().rstrip(";").strip()
    for pattern, handler in STATEMENTS:
        found = pattern.fullmatch(stripped)
        if found:
            reply = Reply()
            handler(session, reply, Values(params or {}), **found.groupdict())
            return reply
    raise errors.not_implemented(stripped)


class Values:
    """A statement's operands: a parameter (@P1) is looked up, a literal (N'..', 12) is read."""

    def __init__(self, params):
        self.params = {name.lower(): value for name, value in params.items()}

    def __call__(self, operand):
        operand = operand.strip()
        if operand.startswith("@"):
            if operand.lower() not in self.params:
                raise errors.SqlError(137, 'Must declare the scalar variable "%s".' % operand, severity=15, state=2)
            return self.params[operand.lower()]
        literal = re.fullmatch(r"N?'((?:[^']|'')*)'", operand, re.DOTALL)
        if literal:
            return literal.group(1).replace("''", "'")
        if re.fullmatch(r"-?\d+", operand):
            return int(operand)
        if operand.upper() == "NULL":
            return None
        raise errors.not_implemented("the operand %s" % operand)


@statement(r"SET\s+(?P<option>[A-Z_]+)\s+(?P<value>[^;]+)")
def set_option(session, _reply, _values, option, value):
    """Session options drivers send at connect (TEXTSIZE, ANSI_*, ...): accepted, remembered."""
    session.options[option.upper()] = value.strip()


@statement(r"SELECT\s+@@VERSION")
def select_version(_session, reply, _values):
    reply.result_set([("", "nvarchar")], [(VERSION_TEXT,)])


@statement(r"PRINT\s+(?P<operand>.+)")
def print_message(_session, reply, values, operand):
    reply.info(0, str(values(operand)))


@statement(r"SELECT\s+DB_NAME\(\)")
def select_db_name(session, reply, _values):
    reply.result_set([("", "nvarchar")], [(session.database,)])


# SQLGetTypeInfo rows ODBC drivers ask for at connect (TYPE_NAME, DATA_TYPE, COLUMN_SIZE, ...), as SQL Server 2022 answers.
TYPE_INFO_COLUMNS = [("TYPE_NAME", "nvarchar"), ("DATA_TYPE", "int"), ("COLUMN_SIZE", "int"), ("LITERAL_PREFIX", "nvarchar"),
                     ("LITERAL_SUFFIX", "nvarchar"), ("CREATE_PARAMS", "nvarchar"), ("NULLABLE", "int"), ("CASE_SENSITIVE", "int"),
                     ("SEARCHABLE", "int"), ("UNSIGNED_ATTRIBUTE", "int"), ("MONEY", "int"), ("AUTO_INCREMENT", "int"),
                     ("LOCAL_TYPE_NAME", "nvarchar"), ("MINIMUM_SCALE", "int"), ("MAXIMUM_SCALE", "int"), ("SQL_DATA_TYPE", "int"),
                     ("SQL_DATETIME_SUB", "int"), ("NUM_PREC_RADIX", "int"), ("INTERVAL_PRECISION", "int"), ("USERTYPE", "int")]
TYPE_INFO_ROWS = {
    12: [("varchar", 12, 8000, "'", "'", "max length", 1, 0, 3, None, 0, None, "varchar", None, None, 12, None, None, None, 2)],
    -9: [("nvarchar", -9, 4000, "N'", "'", "max length", 1, 0, 3, None, 0, None, "nvarchar", None, None, -9, None, None, None, 0)],
    -3: [("varbinary", -3, 8000, "0x", None, "max length", 1, 0, 2, None, 0, None, "varbinary", None, None, -3, None, None, None, 4)],
    93: [("datetime", 93, 23, "'", "'", None, 1, 0, 3, None, 0, None, "datetime", 3, 3, 9, 3, None, None, 12),
         ("datetime2", 93, 27, "'", "'", "scale", 1, 0, 3, None, 0, None, "datetime2", 0, 7, 9, 3, None, None, 0)],
}


@statement(r"(?:EXEC(?:UTE)?\s+)?sp_datatype_info_100\s+(?P<data_type>-?\d+)\s*,\s*(?P<odbc_version>\d+)")
def datatype_info(_session, reply, _values, data_type, odbc_version):
    del odbc_version  # 3: ODBC 3 column names, the only ones the lab gives
    reply.result_set(TYPE_INFO_COLUMNS, TYPE_INFO_ROWS.get(int(data_type), []))


@statement(r"SELECT\s+(?P<operand>@\w+|N?'(?:[^']|'')*'|-?\d+)(?:\s+AS\s+\[?(?P<alias>\w+)\]?)?")
def select_operand(_session, reply, values, operand, alias):
    """SELECT of one parameter or literal, as it arrived: what tests use to see a value reach the server as data."""
    value = values(operand)
    kind = "bigint" if isinstance(value, int) and not isinstance(value, bool) else "varbinary" if isinstance(value, bytes) else "nvarchar"
    reply.result_set([(alias or "", kind)], [(value,)])
