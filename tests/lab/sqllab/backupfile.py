"""The lab's backup file: a header SQL Server would answer RESTORE HEADERONLY / FILELISTONLY
with, the database's pages, and a SHA-256 over both, so a changed byte anywhere is detected.

    MAGIC | header length (8 bytes, big-endian) | header (JSON) | pages | SHA-256 of all before it
"""
import hashlib
import json

MAGIC = b"DRKIT-LAB-SQL-BACKUP-1\n"
DIGEST_SIZE = 32


class MalformedBackup(Exception):
    """Not a backup file of the lab, or one whose header cannot be read."""


def encode(header, pages):
    header_bytes = json.dumps(header, sort_keys=True).encode()
    body = MAGIC + len(header_bytes).to_bytes(8, "big") + header_bytes + pages
    return body + hashlib.sha256(body).digest()


def decode(blob):
    """(header, pages, intact) of a backup file's bytes; MalformedBackup when the header is unreadable."""
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 8 + DIGEST_SIZE:
        raise MalformedBackup("no backup header")
    start = len(MAGIC) + 8
    length = int.from_bytes(blob[len(MAGIC):start], "big")
    try:
        header = json.loads(blob[start:start + length])
    except ValueError:
        raise MalformedBackup("the backup header is damaged") from None
    if not isinstance(header, dict) or start + length > len(blob) - DIGEST_SIZE:
        raise MalformedBackup("the backup header is damaged")
    pages = blob[start + length:-DIGEST_SIZE]
    intact = hashlib.sha256(blob[:-DIGEST_SIZE]).digest() == blob[-DIGEST_SIZE:]
    return header, pages, intact
