# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure Backup through azure-mgmt-recoveryservicesbackup and azure-mgmt-recoveryservices (vaults): thin wrappers, one
service call each, named for errors.

The client shares the collection's Azure settings (credential, Resource Manager endpoint, certificate validation) and
azure-core's retries (408, 429, 5xx and Retry-After). A policy PUT answers 202: its operation's status is polled, with
the service's Retry-After, until it ends.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import time

from ansible_collections.drkit.microsoft.plugins.module_utils.azure.client import arm_errors
from ansible_collections.drkit.microsoft.plugins.module_utils.core.errors import DrkitError

# The options of the drkit.microsoft.recovery_services doc fragment.
RECOVERY_SERVICES_ARGUMENT_SPEC = dict(vault_name=dict(type="str", required=True), resource_group=dict(type="str", required=True))
_OPERATION_ID = re.compile(r"/operations/([^/?]+)", re.IGNORECASE)
DEFAULT_POLL_SECONDS = 5


def backup_client(settings, credential, max_retries=5):
    from azure.mgmt.recoveryservicesbackup import RecoveryServicesBackupClient  # pylint: disable=import-outside-toplevel
    return _sdk_client(RecoveryServicesBackupClient, settings, credential, max_retries)


def vault_client(settings, credential, max_retries=5):
    from azure.mgmt.recoveryservices import RecoveryServicesClient  # pylint: disable=import-outside-toplevel
    return _sdk_client(RecoveryServicesClient, settings, credential, max_retries)


def _sdk_client(client_class, settings, credential, max_retries):
    """An azure-mgmt client on the collection's Azure settings: its Resource Manager, token scope, retries and TLS validation."""
    if not settings.subscription_id:
        raise DrkitError("no subscription_id: set the option, AZURE_SUBSCRIPTION_ID or a profile's subscription_id",
                         step="validate_parameters", target="subscription_id")
    return client_class(credential, settings.subscription_id, base_url=settings.resource_manager, credential_scopes=[settings.credential_scope],
                        retry_total=max_retries, connection_verify=settings.cert_validation_mode != "ignore", user_agent="drkit-microsoft")


def _read_or_none(operation, target, read, missing_parent):
    """``read()``'s REST document, or None when the service says it is missing; a 404 whose ARM code is *missing_parent*
    (the vault or resource group it lives in does not exist) stays an error."""
    from azure.core.exceptions import ResourceNotFoundError  # pylint: disable=import-outside-toplevel
    with arm_errors(operation, target):
        try:
            return read().as_dict()
        except ResourceNotFoundError as error:
            if _error_code(error) == missing_parent:
                raise
            return None


def get_policy(client, resource_group, vault, name):
    """The policy's stored document (its ``properties``, REST names), or None when the vault has no such policy."""
    resource = _read_or_none("get_backup_policy", name, lambda: client.protection_policies.get(vault, resource_group, name),
                             "ResourceNotFound")
    return None if resource is None else resource["properties"]


def _error_code(error):
    try:
        return error.response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _keeping_headers(headers):
    """An SDK ``cls`` callback that copies the answer's headers into *headers* (Retry-After, Azure-AsyncOperation)."""
    def keep(pipeline_response, deserialized, _response_headers):
        headers.update(pipeline_response.http_response.headers)
        return deserialized
    return keep


def put_policy(client, resource_group, vault, name, document, timeout):
    """Create or update the policy and wait (up to *timeout* seconds) for the service to store it."""
    headers = {}
    with arm_errors("put_backup_policy", name):
        client.protection_policies.create_or_update(vault, resource_group, name, {"properties": document}, cls=_keeping_headers(headers))
    found = _OPERATION_ID.search(headers.get("Azure-AsyncOperation") or "")
    if found:
        _wait_for_policy_operation(client, resource_group, vault, name, found.group(1), headers, timeout)


def _wait_for_policy_operation(client, resource_group, vault, name, operation_id, headers, timeout):
    deadline = time.time() + timeout
    delay = _retry_after(headers)
    while True:
        time.sleep(min(delay, max(0, deadline - time.time())))
        answer = {}
        with arm_errors("get_backup_policy_operation", name):
            statuses = client.protection_policy_operation_statuses
            status = statuses.get(vault, resource_group, name, operation_id, cls=_keeping_headers(answer))
        if status.status != "InProgress":
            break
        if time.time() >= deadline:
            raise DrkitError("the policy operation did not finish within %d seconds; it goes on in Azure" % timeout,
                             step="put_backup_policy", target=name, code="Timeout")
        delay = _retry_after(answer)
    if status.status != "Succeeded":
        error = status.error
        raise DrkitError("the service could not store the policy: %s" % (getattr(error, "message", None) or status.status),
                         step="put_backup_policy", target=name, code=getattr(error, "code", None) or status.status)


def _retry_after(headers):
    try:
        return max(1, int(headers.get("Retry-After") or DEFAULT_POLL_SECONDS))
    except ValueError:
        return DEFAULT_POLL_SECONDS


def get_vault(client, resource_group, name):
    """The vault's REST document, or None when the resource group has no such vault."""
    return _read_or_none("get_vault", name, lambda: client.vaults.get(resource_group, name), "ResourceGroupNotFound")


def put_vault(client, resource_group, name, document, timeout):
    with arm_errors("put_vault", name):
        return client.vaults.begin_create_or_update(resource_group, name, document).result(timeout=timeout).as_dict()


def count_protected_items(client, resource_group, vault):
    with arm_errors("list_protected_items", vault):
        return sum(1 for _item in client.backup_protected_items.list(vault, resource_group))


def protection_names(vm_resource_group, vm_name):
    """(container, protected item) names Azure Backup gives an Azure VM."""
    suffix = "iaasvmcontainerv2;%s;%s" % (vm_resource_group.lower(), vm_name.lower())
    return "IaasVMContainer;" + suffix, "VM;" + suffix


def get_protected_item(client, resource_group, vault, container, item):
    """The protected item's document (REST names), or None when the vault does not protect it."""
    return _read_or_none("get_protected_item", item, lambda: client.protected_items.get(vault, resource_group, "Azure", container, item),
                         "ResourceNotFound")


def backup_status(client, region, vm_id):
    """{protectionStatus, vaultId, ...} of a VM, whichever vault protects it."""
    with arm_errors("get_backup_status", vm_id):
        return client.backup_status.get(region, {"resourceId": vm_id, "resourceType": "VM"}).as_dict()


def protectable_vm_ids(client, resource_group, vault):
    """Ids of the VMs the vault has discovered and does not protect yet."""
    with arm_errors("list_protectable_items", vault):
        items = client.backup_protectable_items.list(vault, resource_group, filter="backupManagementType eq 'AzureIaasVM'")
        return set((item.as_dict()["properties"].get("virtualMachineId") or "").lower() for item in items)


def refresh_containers(client, resource_group, vault, timeout):
    """Discover the vault's region's VMs (refreshContainers) and wait for the discovery to end."""
    headers = {}
    with arm_errors("refresh_containers", vault):
        client.protection_containers.refresh(vault, resource_group, "Azure", cls=_keeping_headers(headers))
    found = re.search(r"/operationResults/([^/?]+)", headers.get("Location") or "", re.IGNORECASE)
    if not found:
        return
    deadline = time.time() + timeout
    delay = _retry_after(headers)
    while True:
        time.sleep(min(delay, max(0, deadline - time.time())))
        answer = {}
        results = client.protection_container_refresh_operation_results
        with arm_errors("refresh_containers", vault):
            results.get(vault, resource_group, "Azure", found.group(1), cls=_keeping_status(answer))
        if answer["status"] != 202:
            return
        if time.time() >= deadline:
            raise DrkitError("the discovery did not finish within %d seconds" % timeout, step="refresh_containers", target=vault,
                             code="Timeout")
        delay = _retry_after(answer)


def _keeping_status(answer):
    def keep(pipeline_response, deserialized, _response_headers):
        answer.update(pipeline_response.http_response.headers)
        answer["status"] = pipeline_response.http_response.status_code
        return deserialized
    return keep


def begin_put_protected_item(client, resource_group, vault, container, item, properties, polling_interval):
    """Start enabling (or stopping) protection; returns the SDK's poller, which polls in its own thread."""
    with arm_errors("put_protected_item", item):
        return client.protected_items.begin_create_or_update(vault, resource_group, "Azure", container, item, {"properties": properties},
                                                             polling_interval=polling_interval)


def delete_protected_item(client, resource_group, vault, container, item):
    """Stop protection and delete the backup data (the service finishes the deletion in the background)."""
    with arm_errors("delete_protected_item", item):
        client.protected_items.delete(vault, resource_group, "Azure", container, item)


def trigger_backup(client, resource_group, vault, container, item, expiry_utc, timeout):
    """Back the item up now, its recovery point kept until *expiry_utc*; returns the job's id once the service started it."""
    headers = {}
    body = {"properties": {"objectType": "IaasVMBackupRequest", "recoveryPointExpiryTimeInUTC": expiry_utc}}
    with arm_errors("trigger_backup", item):
        client.backups.trigger(vault, resource_group, "Azure", container, item, body, cls=_keeping_headers(headers))
    found = re.search(r"/operationsStatus/([^/?]+)", headers.get("Azure-AsyncOperation") or "", re.IGNORECASE)
    if not found:
        raise DrkitError("the service accepted the backup without an operation to follow", step="trigger_backup", target=item)
    deadline = time.time() + timeout
    while True:
        answer = {}
        with arm_errors("trigger_backup", item):
            status = client.protected_item_operation_statuses.get(vault, resource_group, "Azure", container, item, found.group(1),
                                                                  cls=_keeping_headers(answer)).as_dict()
        job_id = (status.get("properties") or {}).get("jobId")
        if job_id or status.get("status") not in ("InProgress", None):
            if not job_id:
                raise DrkitError("the backup did not start: %s" % ((status.get("error") or {}).get("message") or status.get("status")),
                                 step="trigger_backup", target=item, code=(status.get("error") or {}).get("code") or status.get("status"))
            return job_id
        if time.time() >= deadline:
            raise DrkitError("the backup did not start within %d seconds" % timeout, step="trigger_backup", target=item, code="Timeout")
        time.sleep(_retry_after(answer))


def get_job(client, resource_group, vault, job_id):
    with arm_errors("get_backup_job", job_id):
        return client.job_details.get(vault, resource_group, job_id).as_dict()
