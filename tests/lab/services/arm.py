"""Azure Resource Manager and Microsoft Entra ID (package ../armlab), for the Azure modules.

One HTTPS server on a port of its own (the lab's certificate; the SDKs refuse bearer tokens over
plain HTTP). It plays an Azure Stack Hub: ``cloud_environment: https://127.0.0.1:<port>``
makes the collection read ``/metadata/endpoints``, log in with a service principal at the
login endpoint it names (this server) and send Resource Manager calls here. The inventory
gets ``drkit_lab_azure`` (the azure options: cloud_environment, tenant, subscription_id,
client_id, secret, disable_instance_discovery), ``drkit_lab_azure_environment`` (variables that
make requests and ansible's open_url trust the lab CA) and ``drkit_lab_arm_admin``. State
(VMs, operations) is kept in ``<state>/arm/arm-state.json`` across restarts; the client secret
is new at every start.

Vendor behaviours it models:
  * Microsoft Entra ID for a service principal (v2.0 OpenID configuration, client-credentials
    token endpoint): unknown tenant 400 AADSTS90002, unknown application 400 AADSTS700016
    unauthorized_client, wrong secret 401 AADSTS7000215 invalid_client, other grants 400
    AADSTS70003 unsupported_grant_type; tokens carry the scope's resource as audience;
  * Resource Manager authentication: no Authorization header 401 AuthenticationFailed; a token
    that does not decode 401 InvalidAuthenticationToken; expired 401 ExpiredAuthenticationToken;
    another audience 401 InvalidAuthenticationTokenAudience; another tenant 401
    InvalidAuthenticationTokenTenant; no api-version 400 MissingApiVersionParameter, a malformed
    one 400 InvalidApiVersionParameter; unknown subscription 404 SubscriptionNotFound, resource
    group 404 ResourceGroupNotFound, VM 404 ResourceNotFound with ARM's texts;
  * Microsoft.Compute virtual machines: GET (``$expand=instanceView``), GET instanceView, POST
    powerOff / deallocate / start as long-running operations (202, Azure-AsyncOperation,
    Location answering 202 then 200, Retry-After), transitional power states, preemption of a
    running operation (Canceled, OperationPreempted), a request for the current state ending
    at once;
  * Microsoft.RecoveryServices vaults: PUT (created or updated at once, provisioningState Succeeded)
    and GET with their redundancy settings; a storage redundancy change once the vault protects items
    is refused (400; Azure Backup's exact code was not found documented); GET backupProtectedItems;
  * their Azure VM backup policies:
    GET (404 BMSUserErrorPolicyNotFound for a missing policy), PUT checked as Azure Backup checks it
    (400 BMSUserErrorInvalidPolicyInput naming the rule: instant restore 1-5 days standard, 1-30
    enhanced, 5 for weekly standard; hourly interval 4/6/8/12 on enhanced only; retention counts
    daily 7-9999, weekly 1-5163, monthly 1-1188, yearly 1-99; days of month 1-28 or last; no enhanced
    to standard), answered 202 with Azure-AsyncOperation (.../operations/{id}), Location
    (.../operationResults/{id}) and Retry-After, the policy stored when the operation ends;
  * Azure Backup protection of VMs (armlab/protection.py): refreshContainers discovers the VMs of the
    vault's region (202, Location answering 202 then 204), backupProtectableItems lists the discovered
    unprotected ones, locations/{region}/backupStatus tells whether and by which vault a VM is protected,
    protected items are enabled, stopped with their data kept (ProtectionStopped) or deleted through
    202 operations (operationsStatus / operationResults), with 400
    BMSUserErrorInvalidConfigureProtectionRequest for a VM of another region, not yet discovered or
    protected by another vault, and the policy's protectedItemsCount kept;
  * on-demand backups and their jobs (armlab/jobs.py): POST .../backup answered 202 with the operation
    whose status carries the job id, 400 UserErrorBackupOperationInProgress while the item's job runs,
    jobs in two phases (Take Snapshot, Transfer data to vault) ending Completed, CompletedWithWarnings
    or Failed as the procedure's table says, the outcome chosen under /__lab/settings;
  * injected faults per operation (labframe/faults.py): 429 TooManyRequests / 5xx with
    Retry-After, or a dropped connection, before the request has any effect.

Vendor behaviours it does not model; tests must not conclude anything about them from the lab:
  * token signatures (tokens are unsigned), RBAC, certificate or user logins, managed identity;
  * VM creation, updates, deletion, extensions, provisioning failures, the guest agent, and the
    guest OS's own shutdown (powerOff's skipShutdown is accepted and ignored);
  * throttling by request counts (only injected 429s), regional or subscription limits;
  * recovery points and restores, job listing and cancellation, vault and policy deletion, the limits of 1000 VMs per policy and
    per vault, and the 50-edits-a-day policy limit.
"""
import os
import secrets
import sys

from armlab import LAB_CLIENT_ID, LAB_SUBSCRIPTION_ID
from labframe.https import answers_json
from labframe.pairs import join_pairs
from labframe.processes import HOST, accepts_tcp
from services.base import Launch, Service
from tokens import LAB_TENANT_ID

LAB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADMIN_PATH = "/__lab"
STATE_FILE = "arm-state.json"


class Arm(Service):
    name = "arm"
    ports = ("https",)

    def new_secrets(self):
        return {"client_secret": secrets.token_urlsafe(30)}

    def launch(self, context, run):
        argv = [sys.executable, "-m", "armlab", "--port", str(run.ports["https"]), "--cert", context.tls.server_cert,
                "--key", context.tls.server_key, "--state", os.path.join(context.data_dir, STATE_FILE)]
        env = {"DRKIT_LAB_ARM_CLIENTS": join_pairs({LAB_CLIENT_ID: run.secrets["client_secret"]}), "PYTHONPATH": LAB_DIR}
        return Launch(argv=argv, env=env, cwd=context.data_dir)

    def ready(self, context, run):
        return accepts_tcp(run.ports["https"]) and answers_json(_base_url(run) + ADMIN_PATH + "/state", context.tls.ca_cert)

    def inventory_vars(self, context, run):
        azure = {"cloud_environment": _base_url(run), "tenant": LAB_TENANT_ID, "subscription_id": LAB_SUBSCRIPTION_ID,
                 "client_id": LAB_CLIENT_ID, "secret": run.secrets["client_secret"], "disable_instance_discovery": True}
        environment = {"REQUESTS_CA_BUNDLE": context.tls.ca_cert, "SSL_CERT_FILE": context.tls.ca_cert}
        return {"drkit_lab_azure": azure, "drkit_lab_azure_environment": environment, "drkit_lab_arm_admin": _base_url(run) + ADMIN_PATH}


def _base_url(run):
    return "https://%s:%d" % (HOST, run.ports["https"])
