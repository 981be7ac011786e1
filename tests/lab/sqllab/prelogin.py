"""PRELOGIN (MS-TDS 2.2.6.5): version and encryption negotiation before the login."""
import struct

VERSION, ENCRYPTION, INSTOPT, THREADID, MARS, TERMINATOR = 0, 1, 2, 3, 4, 0xFF
ENCRYPT_OFF, ENCRYPT_ON, ENCRYPT_NOT_SUP, ENCRYPT_REQ = 0, 1, 2, 3
# SQL Server 2022 CU (16.0.4135): what the lab reports as its version.
SERVER_VERSION = (16, 0, 4135, 0)


def parse(payload):
    """{option: bytes} of a PRELOGIN message."""
    options, position = {}, 0
    while position < len(payload) and payload[position] != TERMINATOR:
        token, offset, length = struct.unpack(">BHH", payload[position:position + 5])
        options[token] = payload[offset:offset + length]
        position += 5
    return options


def build(options):
    """A PRELOGIN payload from an ordered list of (option, bytes)."""
    header_size = 5 * len(options) + 1
    header, data = b"", b""
    for token, value in options:
        header += struct.pack(">BHH", token, header_size + len(data), len(value))
        data += value
    return header + bytes([TERMINATOR]) + data


def answer(client_options):
    """(payload of the server's PRELOGIN answer, encryption mode agreed); the lab always has a certificate."""
    requested = client_options.get(ENCRYPTION, bytes([ENCRYPT_OFF]))[:1] or bytes([ENCRYPT_OFF])
    requested = requested[0]
    if requested == ENCRYPT_NOT_SUP:
        agreed = ENCRYPT_NOT_SUP
    elif requested in (ENCRYPT_ON, ENCRYPT_REQ):
        agreed = ENCRYPT_ON
    else:
        agreed = ENCRYPT_OFF  # as SQL Server with a certificate: the login packet alone travels encrypted
    major, minor, build_number, sub_build = SERVER_VERSION
    version = struct.pack(">BBHH", major, minor, build_number, sub_build)
    payload = build([(VERSION, version), (ENCRYPTION, bytes([agreed])), (INSTOPT, b"\x00"), (THREADID, b""), (MARS, b"\x00")])
    return payload, agreed
