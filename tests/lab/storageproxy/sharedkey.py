"""The SharedKey scheme of Azure Storage (Blob service, version 2009-09-19 and later).

StringToSign = VERB, the standard headers below, the canonicalized x-ms- headers and the
canonicalized resource ("/" account, the encoded path, then each query parameter as
"\\nname:value" sorted by name), HMAC-SHA256 with the base64-decoded account key.
Used both ways: to check a caller's signature, and to sign the proxy's own requests.
"""
import base64
import hashlib
import hmac

STANDARD_HEADERS = ("content-encoding", "content-language", "content-length", "content-md5", "content-type", "date",
                    "if-modified-since", "if-match", "if-none-match", "if-unmodified-since", "range")


def string_to_sign(method, account, path, query, headers):
    """*path* percent-encoded as sent; *query* [(name, decoded value)]; *headers* [(name, value)]."""
    values = {}
    for name, value in headers:
        if value:
            values[name.lower()] = value.strip()
    if values.get("content-length") == "0":
        # Since version 2015-02-21 a zero Content-Length is signed as empty.
        values["content-length"] = ""
    lines = [method.upper()] + [values.get(name, "") for name in STANDARD_HEADERS]
    # The service sorts x-ms- names ignoring hyphens first; the same order as the SDK for real header names.
    ms_names = sorted((name for name in values if name.startswith("x-ms-")), key=lambda name: (name.replace("-", ""), name))
    canonical_headers = "".join("%s:%s\n" % (name, values[name]) for name in ms_names)
    resource = "/" + account + path
    for name, value in sorted((name.lower(), value) for name, value in query):
        resource += "\n%s:%s" % (name, value)
    return "\n".join(lines) + "\n" + canonical_headers + resource


def signature(key, text):
    digest = hmac.new(base64.b64decode(key), text.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def authorization(account, key, method, path, query, headers):
    """The Authorization header value that signs this request with *key*."""
    return "SharedKey %s:%s" % (account, signature(key, string_to_sign(method, account, path, query, headers)))


def parse(header):
    """(account, signature) of a "SharedKey account:signature" header, else None."""
    scheme, credential = ((header or "") + " ").split(" ", 1)
    if scheme != "SharedKey" or ":" not in credential:
        return None
    account, given = credential.strip().split(":", 1)
    return account, given
