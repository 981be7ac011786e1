"""LOGIN7 (MS-TDS 2.2.6.4): who logs in, to which database, with which language and packet size."""
import struct
from dataclasses import dataclass

FIXED = struct.Struct("<IIIIII BBBB II")
# (field, offset of its offset/length pair) in the fixed part; lengths are in characters.
VARIABLE_FIELDS = ("host_name", "user_name", "password", "app_name", "server_name", "extension", "client_interface", "language",
                   "database")
OPTION_FLAGS2_INTEGRATED_SECURITY = 0x80


@dataclass
class Login:
    tds_version: int
    packet_size: int
    host_name: str
    user_name: str
    password: str
    app_name: str
    server_name: str
    client_interface: str
    language: str
    database: str
    integrated_security: bool


def decode_password(data):
    """Each byte of the UCS-2 password was nibble-swapped and XORed with 0xA5."""
    clear = bytes((((b ^ 0xA5) & 0x0F) << 4) | ((b ^ 0xA5) >> 4) for b in data)
    return clear.decode("utf-16-le")


def parse(payload):
    (_length, tds_version, packet_size, _program_version, _pid, _connection_id,
     _flags1, flags2, _type_flags, _flags3, _time_zone, _lcid) = FIXED.unpack_from(payload, 0)
    values, position = {}, FIXED.size
    for field in VARIABLE_FIELDS:
        offset, length = struct.unpack_from("<HH", payload, position)
        position += 4
        if field == "extension":
            continue  # FeatureExt (bytes, not characters): the lab acknowledges no feature
        raw = payload[offset:offset + 2 * length]
        values[field] = decode_password(raw) if field == "password" else raw.decode("utf-16-le")
    return Login(tds_version=tds_version, packet_size=packet_size, integrated_security=bool(flags2 & OPTION_FLAGS2_INTEGRATED_SECURITY),
                 **values)
