"""Resource Manager's and Microsoft Entra ID's errors, with their documented codes and texts.

ARM answers ``{"error": {"code", "message"}}`` and repeats the code in ``x-ms-failure-cause``
for some errors only; clients (azure-core's ARM error format) read the body. Entra's token
endpoint answers OAuth 2.0 errors: ``{"error", "error_description" ("AADSTSnnnn: ..."),
"error_codes": [nnnn], "timestamp", "trace_id", "correlation_id"}``.
"""
import datetime
import uuid

ARM_AUDIENCES = ("https://management.core.windows.net/", "https://management.azure.com/")


class ArmError(Exception):
    """An ARM error answer; ``headers`` are extra response headers (Retry-After, WWW-Authenticate)."""

    def __init__(self, status, code, message, headers=None):
        super().__init__("%d %s: %s" % (status, code, message))
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}

    def document(self):
        return {"error": {"code": self.code, "message": self.message}}


class EntraError(Exception):
    """An OAuth 2.0 error from the token endpoint."""

    def __init__(self, status, error, aadsts, description):
        super().__init__("%s AADSTS%d: %s" % (error, aadsts, description))
        self.status, self.error, self.aadsts, self.description = status, error, aadsts, description

    def document(self):
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
        return {"error": self.error, "error_description": "AADSTS%d: %s" % (self.aadsts, self.description),
                "error_codes": [self.aadsts], "timestamp": now, "trace_id": str(uuid.uuid4()),
                "correlation_id": str(uuid.uuid4())}


def missing_authorization():
    challenge = ('Bearer authorization_uri="https://login.windows.net/", error="invalid_token", '
                 'error_description="The authentication failed because of missing \'Authorization\' header."')
    return ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.",
                    {"WWW-Authenticate": challenge})


def invalid_token():
    return ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.")


def expired_token(expired_at, now):
    return ArmError(401, "ExpiredAuthenticationToken", "The access token expiry UTC time '%s' is earlier than current UTC time '%s'."
                    % (_arm_time(expired_at), _arm_time(now)))


def wrong_audience(audience):
    allowed = ",".join("'%s','%s'" % (value, value.rstrip("/")) for value in ARM_AUDIENCES)
    return ArmError(401, "InvalidAuthenticationTokenAudience", "The access token has been obtained for wrong audience or resource '%s'. "
                    "It should exactly match with one of the allowed audiences %s." % (audience, allowed))


def wrong_issuer(issuer, tenant_id):
    return ArmError(401, "InvalidAuthenticationTokenTenant", "The access token is from the wrong issuer '%s'. It must match the tenant "
                    "'https://sts.windows.net/%s/' associated with this subscription. Please use the authority (URL) "
                    "'https://login.windows.net/%s' to get the token." % (issuer, tenant_id, tenant_id))


def missing_api_version():
    return ArmError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")


def invalid_api_version(version):
    return ArmError(400, "InvalidApiVersionParameter", "The api-version '%s' is invalid. The supported versions are "
                    "'2024-07-01,2024-03-01,2023-09-01,2023-07-01,2023-03-01,2022-11-01'." % version)


def subscription_not_found(subscription_id):
    return ArmError(404, "SubscriptionNotFound", "The subscription '%s' could not be found." % subscription_id)


def resource_group_not_found(resource_group):
    return ArmError(404, "ResourceGroupNotFound", "Resource group '%s' could not be found." % resource_group)


def resource_not_found(resource_type, name, resource_group):
    return ArmError(404, "ResourceNotFound", "The Resource '%s/%s' under resource group '%s' was not found. "
                    "For more details please go to https://aka.ms/ARMResourceNotFoundFix" % (resource_type, name, resource_group))


def operation_not_found(operation_id):
    return ArmError(404, "NotFound", "The entity was not found in this Azure location. Operation id: %s" % operation_id)


def no_route(method, path):
    return ArmError(404, "NoRegisteredProviderFound" if "/providers/" in path else "NotFound",
                    "The lab's Resource Manager does not serve %s %s." % (method, path))


def injected(status, code=None, message=None, retry_after=None):
    defaults = {429: ("TooManyRequests", "The request is being throttled as the limit has been reached for this operation type."),
                500: ("InternalServerError", "Encountered internal server error."),
                503: ("ServiceUnavailable", "The service is currently unavailable. Please try again later.")}
    default_code, default_message = defaults.get(status, ("InjectedFault", "The lab injected this error."))
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return ArmError(status, code or default_code, message or default_message, headers)


def invalid_client_secret(client_id):
    return EntraError(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is "
                      "the client secret value, not the client secret ID, for a secret added to app '%s'." % client_id)


def unknown_application(client_id, tenant_id):
    return EntraError(400, "unauthorized_client", 700016, "Application with identifier '%s' was not found in the directory '%s'. "
                      "This can happen if the application has not been installed by the administrator of the tenant or consented "
                      "to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
                      % (client_id, tenant_id))


def unknown_tenant(tenant_id):
    return EntraError(400, "invalid_request", 90002, "Tenant '%s' not found. Check to make sure you have the correct tenant ID and "
                      "are signing into the correct cloud." % tenant_id)


def unsupported_grant(grant_type):
    return EntraError(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '%s'." % grant_type)


def _arm_time(timestamp):
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime("%m/%d/%Y %H:%M:%S")
