"""The token stream of a TDS response (MS-TDS 2.2.7): login acknowledgement, environment changes,
messages, result sets and DONE tokens, written as bytes."""
import struct

LOGINACK, ENVCHANGE, INFO, ERROR, COLMETADATA, ROW, DONE, DONEPROC, DONEINPROC, RETURNSTATUS = (
    0xAD, 0xE3, 0xAB, 0xAA, 0x81, 0xD1, 0xFD, 0xFE, 0xFF, 0x79)
DONE_FINAL, DONE_MORE, DONE_ERROR, DONE_COUNT, DONE_ATTN = 0x00, 0x01, 0x02, 0x10, 0x20
ENV_DATABASE, ENV_LANGUAGE, ENV_PACKET_SIZE, ENV_COLLATION = 1, 2, 4, 7
TDS_74 = 0x74000004
SERVER_NAME = "DRKITLAB"
# Latin1_General_CI_AS: LCID 1033, case-insensitive, accent-sensitive, code page 1252 (sort id 0 with flags).
COLLATION = bytes([0x09, 0x04, 0xD0, 0x00, 0x34])


def b_varchar(text):
    data = text.encode("utf-16-le")
    return bytes([len(text)]) + data


def us_varchar(text):
    data = text.encode("utf-16-le")
    return struct.pack("<H", len(data) // 2) + data


def _with_length(token, body):
    return bytes([token]) + struct.pack("<H", len(body)) + body


def loginack(program="Microsoft SQL Server", version=(16, 0, 4135)):
    major, minor, build_number = version
    body = bytes([1]) + struct.pack(">I", TDS_74) + b_varchar(program) + bytes([major, minor, build_number >> 8, build_number & 0xFF])
    return _with_length(LOGINACK, body)


def envchange_text(kind, new, old=""):
    return _with_length(ENVCHANGE, bytes([kind]) + b_varchar(new) + b_varchar(old))


def envchange_collation(new=COLLATION):
    return _with_length(ENVCHANGE, bytes([ENV_COLLATION, len(new)]) + new + bytes([0]))


def message(number, text, severity, state=1, line=1, procedure=""):
    """An INFO token (severity 10 or less) or an ERROR token (11 and up), as SQL Server sends them."""
    body = struct.pack("<iBB", number, state, severity) + us_varchar(text) + b_varchar(SERVER_NAME) + b_varchar(procedure) + \
        struct.pack("<i", line)
    return _with_length(ERROR if severity > 10 else INFO, body)


def done(status=DONE_FINAL, row_count=None, command=0, token=DONE):
    if row_count is not None:
        status |= DONE_COUNT
    return struct.pack("<BHHQ", token, status, command, row_count or 0)


def return_status(value):
    return struct.pack("<Bi", RETURNSTATUS, value)


RETURNVALUE = 0xAC


def return_value_int(ordinal, name, value):
    """The value of an int OUTPUT parameter (the handle sp_prepexec returns)."""
    return bytes([RETURNVALUE]) + struct.pack("<H", ordinal) + b_varchar(name) + bytes([0x01]) + struct.pack("<IH", 0, 0x0001) + \
        bytes([0x26, 4, 4]) + struct.pack("<i", value)
