"""Statements of any session: options drivers set, version, current database, PRINT, the ODBC type
catalogue, and SELECT of one value."""
from sqllab.prelogin import SERVER_VERSION
from sqllab.statements import statement

VERSION_TEXT = ("Microsoft SQL Server 2022 (RTM-CU14) (KB5038325) - %d.%d.%d.%d (X64) \n\tdrkit lab simulator \n\t"
                "Developer Edition (64-bit) on Linux (Debian GNU/Linux 12) <X64>" % SERVER_VERSION)


@statement(r"SET\s+(?P<option>[A-Z_]+)\s+(?P<value>[^;]+)")
def set_option(session, _reply, _values, option, value):
    """Session options drivers send at connect (TEXTSIZE, ANSI_*, ...): accepted, remembered."""
    session.options[option.upper()] = value.strip()


@statement(r"SELECT\s+@@VERSION(?:\s+AS\s+(?P<alias>\w+))?")
def select_version(_session, reply, _values, alias):
    reply.result_set([(alias or "", "nvarchar")], [(VERSION_TEXT,)])


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
