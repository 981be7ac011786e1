"""Result sets: column metadata and rows in the TDS types the lab answers with (MS-TDS 2.2.5.4).

A column is (name, kind) with kind one of nvarchar, nvarchar(max) (sent in PLP chunks, MS-TDS 2.2.5.2.3), int, bigint,
bit, varbinary, datetime2, uniqueidentifier, decimal (numeric(25,0)); every column is nullable and None is NULL.
"""
import datetime
import struct
import uuid

from sqllab.tokens import COLLATION, COLMETADATA, ROW, b_varchar

NVARCHAR, INTN, BITN, BIGVARBINARY, DATETIME2N, GUID, NUMERICN = 0xE7, 0x26, 0x68, 0xA5, 0x2A, 0x24, 0x6C
# numeric(25,0): how SQL Server types LSNs and backup sizes.
NUMERIC_PRECISION, NUMERIC_BYTES = 25, 17
NVARCHAR_MAX_BYTES = 8000
VARBINARY_MAX_BYTES = 8000
NULL_U16 = 0xFFFF
# A type info maximum length of 0xFFFF says the column is (max): its values are PLP, a total length then chunks.
MAX_LENGTH = 0xFFFF
PLP_NULL = 0xFFFFFFFFFFFFFFFF
DAY_ZERO = datetime.date(1, 1, 1)
FLAG_NULLABLE = 0x0001


def _type_info(kind):
    if kind == "nvarchar":
        return bytes([NVARCHAR]) + struct.pack("<H", NVARCHAR_MAX_BYTES) + COLLATION
    if kind == "nvarchar(max)":
        return bytes([NVARCHAR]) + struct.pack("<H", MAX_LENGTH) + COLLATION
    if kind == "int":
        return bytes([INTN, 4])
    if kind == "bigint":
        return bytes([INTN, 8])
    if kind == "bit":
        return bytes([BITN, 1])
    if kind == "varbinary":
        return bytes([BIGVARBINARY]) + struct.pack("<H", VARBINARY_MAX_BYTES)
    if kind == "datetime2":
        return bytes([DATETIME2N, 7])
    if kind == "uniqueidentifier":
        return bytes([GUID, 16])
    if kind == "decimal":
        return bytes([NUMERICN, NUMERIC_BYTES, NUMERIC_PRECISION, 0])
    raise ValueError("the lab has no column type %r" % kind)


def colmetadata(columns):
    body = struct.pack("<H", len(columns))
    for name, kind in columns:
        body += struct.pack("<IH", 0, FLAG_NULLABLE) + _type_info(kind) + b_varchar(name)
    return bytes([COLMETADATA]) + body


def _value(kind, value):  # pylint: disable=too-many-return-statements
    if kind == "nvarchar(max)":
        if value is None:
            return struct.pack("<Q", PLP_NULL)
        data = value.encode("utf-16-le")
        # One chunk holding the whole value, then the terminator (a chunk of length 0); an empty value is the terminator alone.
        return struct.pack("<Q", len(data)) + (struct.pack("<I", len(data)) + data if data else b"") + struct.pack("<I", 0)
    if kind in ("nvarchar", "varbinary"):
        if value is None:
            return struct.pack("<H", NULL_U16)
        data = value.encode("utf-16-le") if kind == "nvarchar" else bytes(value)
        if len(data) > NVARCHAR_MAX_BYTES:
            raise ValueError("a lab %s value is limited to %d bytes" % (kind, NVARCHAR_MAX_BYTES))
        return struct.pack("<H", len(data)) + data
    if value is None:
        return b"\x00"
    if kind == "int":
        return b"\x04" + struct.pack("<i", value)
    if kind == "bigint":
        return b"\x08" + struct.pack("<q", value)
    if kind == "bit":
        return b"\x01" + bytes([1 if value else 0])
    if kind == "uniqueidentifier":
        return b"\x10" + uuid.UUID(str(value)).bytes_le
    if kind == "decimal":
        return bytes([NUMERIC_BYTES, 1 if value >= 0 else 0]) + abs(int(value)).to_bytes(NUMERIC_BYTES - 1, "little")
    if kind == "datetime2":
        moment = value.astimezone(datetime.timezone.utc).replace(tzinfo=None) if value.tzinfo else value
        ticks = ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 10_000_000 + moment.microsecond * 10
        days = (moment.date() - DAY_ZERO).days
        return b"\x08" + ticks.to_bytes(5, "little") + days.to_bytes(3, "little")
    raise ValueError("the lab has no column type %r" % kind)


def rows(columns, values):
    return b"".join(bytes([ROW]) + b"".join(_value(kind, value) for (_name, kind), value in zip(columns, row)) for row in values)
