"""Who may run the operations the proxy implements itself, and with which credential upstream.

Forwarded requests are authorized by Azurite. For the operations the proxy implements, the
caller's credential must still decide, as it would on Azure:
  * SharedKey is checked here, against the account's key (403 AuthenticationFailed otherwise);
    then the proxy signs its own requests to Azurite with that key;
  * a SAS (query) or a bearer token (Authorization) is not something the proxy can check, so
    the first request it sends to Azurite about the caller's blob carries that credential
    (Azurite checks it and its permissions) and the proxy acts only once Azurite accepted it;
  * no credential at all goes to Azurite the same way (anonymous access).
"""
import hmac

from storageproxy import errors, sharedkey

# Query parameters of the operation itself, never part of a SAS.
OPERATION_PARAMETERS = frozenset(("comp", "restype", "snapshot", "prevsnapshot", "marker", "maxresults", "timeout",
                                  "versionid", "blockid"))


def uses_shared_key(request):
    return sharedkey.parse(request.header("Authorization")) is not None


def check_shared_key(request, keys):
    """Raise 403 AuthenticationFailed unless the request's SharedKey signature is right."""
    account, given = sharedkey.parse(request.header("Authorization"))
    key = keys.get(account)
    if account != request.account or key is None:
        raise errors.authentication_failed("The account %s in the Authorization header does not match the request's "
                                           "account %s." % (account, request.account))
    text = sharedkey.string_to_sign(request.method, account, request.path, request.query, request.headers.items())
    if not hmac.compare_digest(sharedkey.signature(key, text), given):
        raise errors.authentication_failed("The MAC signature found in the HTTP request '%s' is not the same as any "
                                           "computed signature. Server used following string to sign: '%s'." % (given, text))


def sas_parameters(raw_query):
    """The raw "name=value" parts of a query that are a credential (a SAS), not the operation's own."""
    return [part for part in raw_query.split("&") if part and part.partition("=")[0] not in OPERATION_PARAMETERS]


def caller_headers(request):
    """The caller's bearer token, if that is its credential."""
    authorization = request.header("Authorization")
    return {"Authorization": authorization} if authorization and not uses_shared_key(request) else {}
