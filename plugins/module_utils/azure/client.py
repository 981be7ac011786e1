# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Resource Manager client: one call per method, errors named by operation, long-running operations.

Built on azure-mgmt-core's ARM pipeline (the one every azure-mgmt-* SDK uses): bearer token
with CAE challenges, request ids, the SDK's retries (408, 429, 500, 502, 503, 504 and any
answer with Retry-After, whose delay it honours; never other errors), and ARM's polling of
Azure-AsyncOperation / Location headers. Callers give a path under the subscription and an
api-version; a failure becomes :class:`DrkitError` with the operation's name, the resource
and ARM's error code.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.drkit.microsoft.plugins.module_utils.azure.errors import azure_core_errors
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError, InvalidParameter

USER_AGENT = "drkit-microsoft"


class ArmClient(object):
    """Resource Manager calls in one subscription, with one credential."""

    def __init__(self, settings, credential, max_retries=5, polling_interval=15):
        # pylint: disable=import-outside-toplevel
        from azure.core.pipeline import policies
        from azure.core.pipeline.transport import RequestsTransport
        from azure.mgmt.core import ARMPipelineClient
        from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy, ARMHttpLoggingPolicy
        if not settings.subscription_id:
            raise DrkitError("no subscription_id: set the option, AZURE_SUBSCRIPTION_ID or a profile's subscription_id",
                             step="validate_parameters", target="subscription_id")
        self.subscription_id = settings.subscription_id
        self.polling_interval = polling_interval
        pipeline = [policies.RequestIdPolicy(), policies.HeadersPolicy(), policies.UserAgentPolicy(base_user_agent=USER_AGENT),
                    policies.RetryPolicy(retry_total=max_retries),
                    ARMChallengeAuthenticationPolicy(credential, settings.credential_scope),
                    policies.ContentDecodePolicy(), ARMHttpLoggingPolicy()]
        transport = RequestsTransport(connection_verify=settings.cert_validation_mode != "ignore")
        self._client = ARMPipelineClient(base_url=settings.resource_manager, policies=pipeline, transport=transport)

    def resource_path(self, resource_group, provider_path):
        """The path of a resource: /subscriptions/{id}/resourceGroups/{group}/providers/{provider_path}."""
        return "/subscriptions/%s/resourceGroups/%s/providers/%s" % (path_segment(self.subscription_id), path_segment(resource_group), provider_path)

    def call(self, operation, method, path, api_version, query=None, body=None):
        """Send one request; returns the decoded JSON body (or None) of a 2xx answer."""
        response = self._send(operation, method, path, api_version, query, body)
        return response.http_response.json() if response.http_response.text() else None

    def begin(self, operation, method, path, api_version, query=None, body=None):
        """Start a long-running operation; returns its azure-core LROPoller (``.result(timeout)``, ``.done()``)."""
        # pylint: disable=import-outside-toplevel
        from azure.core.polling import LROPoller
        from azure.mgmt.core.polling.arm_polling import ARMPolling
        initial = self._send(operation, method, path, api_version, query, body)
        return LROPoller(self._client, initial, lambda response: None, ARMPolling(self.polling_interval))

    def wait(self, operation, target, poller, timeout):
        """Wait up to *timeout* seconds for *poller*; a failed or unfinished operation raises."""
        with arm_errors(operation, target):
            poller.result(timeout=timeout)
        if not poller.done():
            raise DrkitError("did not finish within %d seconds; it goes on in Azure" % timeout, step=operation, target=target,
                             code="Timeout")

    def _send(self, operation, method, path, api_version, query, body):
        from azure.core.rest import HttpRequest  # pylint: disable=import-outside-toplevel
        params = dict(query or {})
        params["api-version"] = api_version
        request = HttpRequest(method, self._client.format_url(path), params=params, json=body)
        with arm_errors(operation, path):
            response = self._client.send_request(request, _return_pipeline_response=True)
            if response.http_response.status_code >= 400:
                _raise_for(response.http_response)
        return response


def check_wait_timeout(params):
    """Refuse a wait_timeout that could never let an operation finish, before any call."""
    if params["wait_timeout"] < 1:
        raise InvalidParameter("wait_timeout", "must be at least 1 second, not %d" % params["wait_timeout"])


def arm_errors(operation, target):
    """Report any azure-core failure inside the block as *operation* on *target* with ARM's error code."""
    return azure_core_errors(operation, target, _arm_code_and_message)


def _arm_code_and_message(error):
    arm_error = getattr(error, "error", None)
    return getattr(arm_error, "code", None), getattr(arm_error, "message", None)


def _raise_for(http_response):
    # pylint: disable=import-outside-toplevel
    from azure.core.exceptions import HttpResponseError
    from azure.mgmt.core.exceptions import ARMErrorFormat
    raise HttpResponseError(response=http_response, error_format=ARMErrorFormat)


def path_segment(value):
    """A path segment with its reserved characters percent-encoded: a name never changes the path."""
    from urllib.parse import quote  # pylint: disable=import-outside-toplevel
    return quote(value, safe="")
