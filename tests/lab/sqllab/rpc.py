"""RPC requests (MS-TDS 2.2.6.6): the procedure called and its parameters, decoded to Python values.

ODBC drivers send parameterized statements as sp_prepexec, sp_execute or sp_executesql (by
procedure id) with the statement text and the parameter declarations as NTEXT or NVARCHAR
parameters, and the values as typed parameters: they arrive here as data, never as SQL text.
"""
import datetime
import struct
from dataclasses import dataclass

PROCEDURE_IDS = {10: "sp_executesql", 11: "sp_prepare", 12: "sp_execute", 13: "sp_prepexec", 15: "sp_unprepare"}
STATUS_BY_REF = 0x01
BATCH_SEPARATORS = (0x80, 0xFF, 0xFE)
PLP_NULL = 0xFFFFFFFFFFFFFFFF
DAY_ZERO = datetime.date(1, 1, 1)
# The TDS types a parameter arrives as (MS-TDS 2.2.5.4), by the names SQL Server gives them.
TYPE_NAMES = {0x26: "int", 0x68: "bit", 0x6D: "float", 0x6E: "money", 0x6F: "datetime", 0x24: "uniqueidentifier", 0xE7: "nvarchar",
              0xA7: "varchar", 0xA5: "varbinary", 0xAD: "binary", 0x63: "ntext", 0x23: "text", 0x22: "image", 0x2A: "datetime2",
              0x6A: "decimal", 0x6C: "numeric"}


@dataclass
class Param:
    name: str
    output: bool
    type_id: int
    value: object

    @property
    def type_name(self):
        return TYPE_NAMES.get(self.type_id, "0x%02X" % self.type_id)


@dataclass
class Call:
    procedure: str
    params: list


class _Reader:
    def __init__(self, data, position=0):
        self.data, self.position = data, position

    def take(self, count):
        chunk = self.data[self.position:self.position + count]
        if len(chunk) != count:
            raise ValueError("RPC request ends inside a value")
        self.position += count
        return chunk

    def unpack(self, fmt):
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))[0]

    def b_varchar(self):
        return self.take(2 * self.unpack("B")).decode("utf-16-le")

    @property
    def done(self):
        return self.position >= len(self.data)


def parse(payload):
    """The first call of an RPC message (the collection never batches calls)."""
    reader = _Reader(payload, struct.unpack_from("<I", payload, 0)[0])
    name_length = reader.unpack("H")
    if name_length == 0xFFFF:
        procedure_id = reader.unpack("H")
        procedure = PROCEDURE_IDS.get(procedure_id, "procedure id %d" % procedure_id)
    else:
        procedure = reader.take(2 * name_length).decode("utf-16-le")
    reader.unpack("H")  # option flags: WITH RECOMPILE, no metadata
    params = []
    while not reader.done and reader.data[reader.position] not in BATCH_SEPARATORS:
        name = reader.b_varchar()
        status = reader.unpack("B")
        type_id, value = _typed_value(reader)
        params.append(Param(name, bool(status & STATUS_BY_REF), type_id, value))
    return Call(procedure, params)


def statement(call, prepared):
    """(statement text, parameter declaration, value parameters) of a call; *prepared* is the session's {handle: (text,
    declaration)}, which sp_execute and sp_unprepare name. A procedure the lab does not answer has no text: (None, "", params)."""
    params = call.params
    if call.procedure in ("sp_prepexec", "sp_prepare"):
        return params[2].value, params[1].value, params[3:]
    if call.procedure == "sp_execute":
        text, declaration = prepared[params[0].value]
        return text, declaration, params[1:]
    if call.procedure == "sp_executesql":
        return params[0].value, params[1].value if len(params) > 1 else "", params[2:]
    if call.procedure == "sp_unprepare":
        text, declaration = prepared.get(params[0].value, (None, ""))
        return text, declaration, []
    return None, "", params


def _typed_value(reader):  # pylint: disable=too-many-return-statements,too-many-branches
    type_id = reader.unpack("B")
    if type_id in (0x26, 0x68, 0x6D, 0x6E, 0x6F, 0x24):  # INTN, BITN, FLTN, MONEYN, DATETIMN, GUID
        reader.unpack("B")
        length = reader.unpack("B")
        raw = reader.take(length)
        if not length:
            return type_id, None
        if type_id == 0x26:
            return type_id, int.from_bytes(raw, "little", signed=True)
        if type_id == 0x68:
            return type_id, raw != b"\x00"
        if type_id == 0x6D:
            return type_id, struct.unpack("<d" if length == 8 else "<f", raw)[0]
        if type_id == 0x24:
            return type_id, raw
        return type_id, raw  # money and datetime: kept raw, the lab's T-SQL takes neither
    if type_id in (0xE7, 0xA7, 0xA5, 0xAD):  # NVARCHAR, BIGVARCHAR, BIGVARBINARY, BIGBINARY
        max_length = reader.unpack("H")
        if type_id in (0xE7, 0xA7):
            reader.take(5)  # collation
        raw = _plp(reader) if max_length == 0xFFFF else _short(reader)
        return type_id, _text(type_id, raw)
    if type_id in (0x63, 0x23, 0x22):  # NTEXT, TEXT, IMAGE
        reader.unpack("I")
        if type_id != 0x22:
            reader.take(5)
        length = reader.unpack("I")
        raw = None if length == 0xFFFFFFFF else reader.take(length)
        return type_id, _text({0x63: 0xE7, 0x23: 0xA7}.get(type_id, 0xA5), raw)
    if type_id == 0x2A:  # DATETIME2N
        scale = reader.unpack("B")
        length = reader.unpack("B")
        if not length:
            return type_id, None
        raw = reader.take(length)
        ticks = int.from_bytes(raw[:-3], "little") * 10 ** (7 - scale)
        day = DAY_ZERO + datetime.timedelta(days=int.from_bytes(raw[-3:], "little"))
        return type_id, datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(microseconds=ticks // 10)
    if type_id in (0x6A, 0x6C):  # DECIMALN, NUMERICN
        reader.unpack("B")
        reader.unpack("B")
        scale = reader.unpack("B")
        length = reader.unpack("B")
        if not length:
            return type_id, None
        raw = reader.take(length)
        number = int.from_bytes(raw[1:], "little") * (1 if raw[0] else -1)
        return type_id, number if not scale else number / 10 ** scale
    raise ValueError("the lab does not decode RPC parameters of TDS type 0x%02X" % type_id)


def _short(reader):
    length = reader.unpack("H")
    return None if length == 0xFFFF else reader.take(length)


def _plp(reader):
    total = reader.unpack("Q")
    if total == PLP_NULL:
        return None
    data = b""
    while True:
        chunk = reader.unpack("I")
        if not chunk:
            return data
        data += reader.take(chunk)


def _text(type_id, raw):
    if raw is None:
        return None
    if type_id == 0xE7:
        return raw.decode("utf-16-le")
    if type_id == 0xA7:
        return raw.decode("cp1252")
    return bytes(raw)
