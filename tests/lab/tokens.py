"""A Microsoft Entra ID stand-in for tests: unsigned JWTs that Azurite's ``--oauth basic`` accepts.

Azurite in basic OAuth mode decodes the bearer token without checking a signature; it checks
the issuer prefix (https://sts.windows.net/), the audience (https://storage.azure.com) and the
lifetime (iat, nbf, exp). So :class:`LabTokenCredential`, handed to any Azure SDK client in
place of DefaultAzureCredential, drives the SDK's real token path (``Authorization: Bearer``
over HTTPS) with no identity provider. Tokens are never valid anywhere else.
"""
import base64
import json
import time
import uuid

from azure.core.credentials import AccessToken

# A fixed, made-up tenant (and principal) so inventories and tokens agree across lab starts.
LAB_TENANT_ID = "7d0c5e1a-3b8f-4c2d-9e6a-1f4b2d8c0a5e"
LAB_PRINCIPAL_ID = "0f3e9a7c-5d21-4b8e-a6c4-2e7b1d9f8a30"
TOKEN_LIFETIME = 3600
# Entra issues tokens a few minutes back-dated; it also keeps a token usable across small clock skews.
NOT_BEFORE_SKEW = 300


def unsigned_jwt(audience, tenant_id=LAB_TENANT_ID, lifetime=TOKEN_LIFETIME):
    """An access token for *audience* with alg "none" and an empty signature; returns (token, exp)."""
    now = int(time.time())
    claims = {"aud": audience, "iss": "https://sts.windows.net/%s/" % tenant_id, "tid": tenant_id,
              "oid": LAB_PRINCIPAL_ID, "sub": LAB_PRINCIPAL_ID, "iat": now - NOT_BEFORE_SKEW,
              "nbf": now - NOT_BEFORE_SKEW, "exp": now + lifetime, "uti": uuid.uuid4().hex}
    header = {"alg": "none", "typ": "JWT"}
    return "%s.%s." % (_base64url(header), _base64url(claims)), claims["exp"]


class LabTokenCredential:
    """azure-core's TokenCredential protocol, answering every scope with an unsigned lab token."""

    def __init__(self, tenant_id=LAB_TENANT_ID):
        self.tenant_id = tenant_id

    def get_token(self, *scopes, tenant_id=None, **_options):
        # _options: claims (CAE challenges) and enable_cae, which an unsigned lab token cannot honour.
        if not scopes:
            raise ValueError("get_token needs at least one scope")
        # Entra turns the scope "<resource>/.default" into the audience "<resource>".
        audience = scopes[0][:-len("/.default")] if scopes[0].endswith("/.default") else scopes[0]
        token, expires_on = unsigned_jwt(audience, tenant_id or self.tenant_id)
        return AccessToken(token, expires_on)


def _base64url(document):
    return base64.urlsafe_b64encode(json.dumps(document, separators=(",", ":")).encode()).rstrip(b"=").decode()
