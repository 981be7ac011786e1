"""TDS packets (MS-TDS 2.2.3): an 8-byte header, then payload; a message is the payloads of its
packets up to the one with the end-of-message status bit."""
import struct

HEADER = struct.Struct(">BBHHBB")  # type, status, length (header included), SPID, packet id, window
HEADER_SIZE = HEADER.size
STATUS_EOM = 0x01
STATUS_IGNORE = 0x02  # the client cancels a message it had started: drop what came so far

SQL_BATCH, RPC, TABULAR_RESULT, ATTENTION, TRANSACTION_MANAGER, LOGIN7, PRELOGIN = 0x01, 0x03, 0x04, 0x06, 0x0E, 0x10, 0x12
DEFAULT_PACKET_SIZE = 4096


class ConnectionClosed(Exception):
    """The client closed the connection (cleanly or not) between or inside messages."""


def read_exactly(stream, count):
    data = b""
    while len(data) < count:
        piece = stream.recv(count - len(data))
        if not piece:
            raise ConnectionClosed("connection closed after %d of %d bytes" % (len(data), count))
        data += piece
    return data


def read_packet(stream):
    """(type, status, payload) of the next packet on *stream* (an object with ``recv``)."""
    kind, status, length, _spid, _number, _window = HEADER.unpack(read_exactly(stream, HEADER_SIZE))
    if length < HEADER_SIZE:
        raise ConnectionClosed("malformed TDS packet length %d" % length)
    return kind, status, read_exactly(stream, length - HEADER_SIZE)


def read_message(stream):
    """(type, payload) of the next whole message; a message the client cancelled is skipped."""
    payload, kind = b"", None
    while True:
        packet_kind, status, data = read_packet(stream)
        kind = packet_kind if kind is None else kind
        if status & STATUS_IGNORE:
            payload, kind = b"", None
            continue
        payload += data
        if status & STATUS_EOM:
            return kind, payload


def packets(kind, payload, packet_size=DEFAULT_PACKET_SIZE, spid=0):
    """The bytes of *payload* sent as a message of *kind* in packets of at most *packet_size*."""
    room = packet_size - HEADER_SIZE
    chunks = [payload[start:start + room] for start in range(0, len(payload), room)] or [b""]
    out = []
    for number, chunk in enumerate(chunks, start=1):
        status = STATUS_EOM if number == len(chunks) else 0
        out.append(HEADER.pack(kind, status, len(chunk) + HEADER_SIZE, spid, number % 256, 0) + chunk)
    return b"".join(out)
