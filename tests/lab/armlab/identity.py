"""Microsoft Entra ID, as far as a service principal's client-credentials login goes.

azure-identity (MSAL) with ``authority=<lab>`` and ``disable_instance_discovery=True`` reads
``/{tenant}/v2.0/.well-known/openid-configuration``, then posts the client id and secret to
its ``token_endpoint``. Tokens are the lab's unsigned JWTs (tokens.unsigned_jwt), v1 issuer
``https://sts.windows.net/{tenant}/``, audience the scope without ``/.default``: Azurite's
``--oauth basic`` accepts the storage ones, the lab's Resource Manager the management ones.
"""
import base64
import binascii
import json
import time
from urllib.parse import parse_qsl

from armlab import errors
from tokens import LAB_TENANT_ID, unsigned_jwt

DEFAULT_SUFFIX = "/.default"


def openid_configuration(base_url, tenant_id):
    if tenant_id != LAB_TENANT_ID:
        raise errors.unknown_tenant(tenant_id)
    authority = "%s/%s" % (base_url, tenant_id)
    return {"issuer": authority + "/v2.0", "token_endpoint": authority + "/oauth2/v2.0/token",
            "authorization_endpoint": authority + "/oauth2/v2.0/authorize",
            "device_authorization_endpoint": authority + "/oauth2/v2.0/devicecode",
            "jwks_uri": "%s/%s/discovery/v2.0/keys" % (base_url, tenant_id), "tenant_region_scope": "WW",
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"]}


def issue_token(tenant_id, form_body, clients):
    """The token answer for a client-credentials request (an x-www-form-urlencoded body)."""
    if tenant_id != LAB_TENANT_ID:
        raise errors.unknown_tenant(tenant_id)
    form = dict(parse_qsl(form_body.decode("utf-8"), keep_blank_values=True))
    if form.get("grant_type") != "client_credentials":
        raise errors.unsupported_grant(form.get("grant_type", ""))
    client_id = form.get("client_id", "")
    if client_id not in clients:
        raise errors.unknown_application(client_id, tenant_id)
    if form.get("client_secret") != clients[client_id]:
        raise errors.invalid_client_secret(client_id)
    scope = form.get("scope", "").split()[0] if form.get("scope") else ""
    audience = scope[:-len(DEFAULT_SUFFIX)] if scope.endswith(DEFAULT_SUFFIX) else scope
    token, expires_on = unsigned_jwt(audience, tenant_id)
    lifetime = expires_on - int(time.time())
    return {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": token}


def check_bearer(authorization):
    """Refuse a request whose Authorization header is not a current lab token for Resource Manager."""
    if not authorization:
        raise errors.missing_authorization()
    scheme, token = (authorization.split(" ", 1) + [""])[:2]
    if scheme.lower() != "bearer" or not token:
        raise errors.invalid_token()
    claims = _claims(token.strip())
    audience = str(claims.get("aud", ""))
    if audience.rstrip("/") not in [value.rstrip("/") for value in errors.ARM_AUDIENCES]:
        raise errors.wrong_audience(audience)
    issuer = str(claims.get("iss", ""))
    if issuer != "https://sts.windows.net/%s/" % LAB_TENANT_ID:
        raise errors.wrong_issuer(issuer, LAB_TENANT_ID)
    now = time.time()
    if not isinstance(claims.get("exp"), int) or claims["exp"] <= now:
        raise errors.expired_token(claims.get("exp") or 0, now)
    return claims


def _claims(token):
    parts = token.split(".")
    if len(parts) != 3:
        raise errors.invalid_token()
    try:
        payload = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):
        raise errors.invalid_token() from None
    if not isinstance(claims, dict):
        raise errors.invalid_token()
    return claims
