"""The lab's service master key backup file: the key, encrypted with a key derived from the backup's password.

    MAGIC | salt (16) | the key XOR the first 32 bytes of PBKDF2-HMAC-SHA256(password, salt) | key metadata (JSON) |
    HMAC-SHA256 over all before it, keyed with the derivation's last 32 bytes

A wrong password fails the HMAC, as it fails SQL Server's decryption; a changed byte fails it too.
"""
import hashlib
import hmac
import json
import os

MAGIC = b"DRKIT-LAB-SQL-SMK-1\n"
SALT_SIZE = 16
KEY_SIZE = 32
TAG_SIZE = 32
ITERATIONS = 100000


class NotAKeyFile(Exception):
    """Not a service master key backup of the lab."""


class WrongPassword(Exception):
    """The password does not decrypt the key (or the file was changed)."""


def _derived(password, salt):
    stream = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, ITERATIONS, dklen=KEY_SIZE + TAG_SIZE)
    return stream[:KEY_SIZE], stream[KEY_SIZE:]


def encode(key, metadata, password):
    """The file's bytes for *key* (32 bytes) and *metadata* (key_guid, create_date), encrypted by *password*."""
    salt = os.urandom(SALT_SIZE)
    mask, tag_key = _derived(password, salt)
    body = MAGIC + salt + bytes(a ^ b for a, b in zip(key, mask)) + json.dumps(metadata, sort_keys=True).encode()
    return body + hmac.new(tag_key, body, hashlib.sha256).digest()


def decode(blob, password):
    """(key, metadata) of a key file; NotAKeyFile or WrongPassword."""
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + SALT_SIZE + KEY_SIZE + TAG_SIZE:
        raise NotAKeyFile()
    start = len(MAGIC)
    salt, masked = blob[start:start + SALT_SIZE], blob[start + SALT_SIZE:start + SALT_SIZE + KEY_SIZE]
    mask, tag_key = _derived(password, salt)
    if not hmac.compare_digest(hmac.new(tag_key, blob[:-TAG_SIZE], hashlib.sha256).digest(), blob[-TAG_SIZE:]):
        raise WrongPassword()
    try:
        metadata = json.loads(blob[start + SALT_SIZE + KEY_SIZE:-TAG_SIZE])
    except ValueError:
        raise NotAKeyFile() from None
    return bytes(a ^ b for a, b in zip(masked, mask)), metadata
