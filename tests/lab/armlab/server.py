"""The HTTPS server: admin calls, injected faults (a dropped connection, an error status or a late answer), Entra ID,
cloud metadata, then Resource Manager.

One thread per connection (labframe.https), keep-alive.
Every Resource Manager request needs a lab bearer token for the management audience and an
api-version; answers carry ``x-ms-request-id`` and ``x-ms-correlation-request-id``.
"""
import json
import re
import socket
import sys
import time
import uuid
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, unquote

from armlab import LAB_SUBSCRIPTION_ID, admin, compute, errors, identity, jobs, protection, recovery_services, routes
from labframe.https import TlsThreadingServer

API_VERSION_PATTERN = r"\d{4}-\d{2}-\d{2}(-preview)?"
MAX_BODY = 1024 * 1024
UNAUTHENTICATED = ("cloud_metadata", "openid_configuration", "token")


class ArmServer(TlsThreadingServer):
    def __init__(self, port, cert, key, state, clients, faults, request_log):
        super().__init__(port, cert, key, Handler)
        self.base_url = "https://127.0.0.1:%d" % port
        self.state, self.clients, self.faults, self.request_log = state, clients, faults, request_log


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "drkit-lab-arm"
    timeout = 600

    def do_request(self):
        self.status_sent = "-"
        path, raw_query = (self.path.split("?", 1) + [""])[:2]
        query = dict(parse_qsl(raw_query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            return self._send(413, {"error": {"code": "RequestEntityTooLarge", "message": "The request body is too large."}})
        body = self.rfile.read(length) if length else b""
        if path == admin.PREFIX or path.startswith(admin.PREFIX + "/"):
            return self._send(*admin.handle(self.command, path[len(admin.PREFIX):].rstrip("/"), body, self.server))
        operation, parameters = routes.match(self.command, unquote(path))
        self.server.request_log.record(operation or "unknown", self.command, path, query, None if operation == "token" else body)
        try:
            fault = self.server.faults.trigger(operation or "unknown")
            if fault and fault["mode"] == "delay":
                # A slow answer: served as usual once the delay has passed.
                time.sleep(fault["seconds"])
                fault = None
            if fault and fault["mode"] == "drop":
                self.close_connection = True
                self.status_sent = "dropped"
                self.connection.shutdown(socket.SHUT_RDWR)
                return None
            if fault:
                raise errors.injected(fault["status"], fault["code"], fault["message"], fault["retry_after"])
            if operation is None:
                raise errors.no_route(self.command, path)
            if operation not in UNAUTHENTICATED:
                identity.check_bearer(self.headers.get("Authorization"))
                _check_api_version(query)
            return self._send(*getattr(self, "_" + operation)(parameters, query, body))
        except errors.ArmError as error:
            return self._send(error.status, error.document(), error.headers)
        except errors.EntraError as error:
            return self._send(error.status, error.document())
        finally:
            self.log_message('"%s %s" %s %s', self.command, path, self.status_sent, operation)

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_request

    def _cloud_metadata(self, _parameters, _query, _body):
        # An Azure Stack Hub's metadata: where to log in and the audience Resource Manager accepts.
        return 200, {"galleryEndpoint": "", "graphEndpoint": "", "portalEndpoint": "",
                     "authentication": {"loginEndpoint": self.server.base_url + "/", "audiences": [errors.ARM_AUDIENCES[0]]}}

    def _openid_configuration(self, parameters, _query, _body):
        return 200, identity.openid_configuration(self.server.base_url, parameters[0])

    def _token(self, parameters, _query, body):
        return 200, identity.issue_token(parameters[0], body, self.server.clients)

    def _get_vm(self, parameters, query, _body):
        subscription_id, resource_group, name = parameters
        _check_subscription(subscription_id)
        with self.server.state.locked() as document:
            record = compute.find_vm(document, subscription_id, resource_group, name)
            return 200, compute.vm_resource(record, query.get("$expand", "").lower() == "instanceview")

    def _get_vm_instance_view(self, parameters, _query, _body):
        subscription_id, resource_group, name = parameters
        _check_subscription(subscription_id)
        with self.server.state.locked() as document:
            return 200, compute.instance_view(compute.find_vm(document, subscription_id, resource_group, name))

    def _vm_power_operation(self, parameters, query, _body):
        subscription_id, resource_group, name, verb = parameters
        _check_subscription(subscription_id)
        with self.server.state.locked() as document:
            record = compute.find_vm(document, subscription_id, resource_group, name)
            operation = compute.begin_power_operation(document, record, verb)
        return 202, None, self._operation_headers(subscription_id, operation, query["api-version"])

    def _compute_operation(self, parameters, query, _body):
        subscription_id, _location, operation_id = parameters
        _check_subscription(subscription_id)
        with self.server.state.locked() as document:
            operation = dict(compute.find_operation(document, operation_id))
        if query.get("monitor", "").lower() == "true":
            # The Location URL: 202 until the operation ends, then 200 with the operation's (empty) result.
            if operation["status"] == "InProgress":
                return 202, None, self._operation_headers(subscription_id, operation, query["api-version"])
            if operation.get("error"):
                error = operation["error"]
                return 409, {"error": error}, {}
            return 200, None, {}
        headers = {"Retry-After": str(compute.retry_after(operation))} if operation["status"] == "InProgress" else {}
        return 200, compute.operation_status(operation), headers

    def _get_vault(self, parameters, _query, _body):
        subscription_id, resource_group, name = parameters
        _check_subscription(subscription_id)
        with self.server.state.locked() as document:
            return 200, recovery_services.vault_resource(recovery_services.find_vault(document, subscription_id, resource_group, name))

    def _put_vault(self, parameters, _query, body):
        subscription_id, resource_group, name = parameters
        _check_subscription(subscription_id)
        request = _json_body(body)
        with self.server.state.locked() as document:
            status, record = recovery_services.put_vault_resource(document, subscription_id, resource_group, name, request)
            return status, recovery_services.vault_resource(record)

    def _list_protected_items(self, parameters, _query, _body):
        with self._vault(parameters) as (document, vault):
            return 200, protection.protected_items_list(document, vault)

    def _list_protectable_items(self, parameters, _query, _body):
        with self._vault(parameters) as (document, vault):
            return 200, protection.protectable_items(document, vault)

    def _refresh_containers(self, parameters, query, _body):
        with self._vault(parameters) as (document, vault):
            operation = protection.begin_refresh(document, vault)
        return 202, None, self._refresh_headers(vault, operation, query["api-version"])

    def _refresh_containers_result(self, parameters, query, _body):
        with self._vault(parameters[:3]) as (document, vault):
            operation = dict(protection.find_operation(document, parameters[3], ("refresh_containers",)))
        if operation["status"] == "InProgress":
            return 202, None, self._refresh_headers(vault, operation, query["api-version"])
        return 204, None

    def _backup_status(self, parameters, _query, body):
        subscription_id, location = parameters
        _check_subscription(subscription_id)
        with self.server.state.locked() as document:
            return 200, protection.backup_status(document, subscription_id, location, _json_body(body))

    def _get_protected_item(self, parameters, _query, _body):
        with self._vault(parameters[:3]) as (document, vault):
            return 200, protection.item_resource(document, vault, parameters[4], protection.find_item(vault, parameters[3], parameters[4]))

    def _put_protected_item(self, parameters, query, body):
        with self._vault(parameters[:3]) as (document, vault):
            operation = protection.begin_put_item(document, parameters[0], vault, parameters[3], parameters[4], _json_body(body))
        return 202, None, self._item_headers(vault, parameters[3], parameters[4], operation, query["api-version"])

    def _delete_protected_item(self, parameters, query, _body):
        with self._vault(parameters[:3]) as (document, vault):
            operation = protection.begin_delete_item(document, vault, parameters[3], parameters[4])
        return 202, None, self._item_headers(vault, parameters[3], parameters[4], operation, query["api-version"])

    def _trigger_backup(self, parameters, query, body):
        with self._vault(parameters[:3]) as (document, vault):
            item = protection.find_item(vault, parameters[3], parameters[4])
            operation = jobs.begin_backup(document, vault, parameters[4], item, _json_body(body))
        return 202, None, self._item_headers(vault, parameters[3], parameters[4], operation, query["api-version"])

    def _get_backup_job(self, parameters, _query, _body):
        with self._vault(parameters[:3]) as (document, vault):
            return 200, jobs.job_resource(vault, jobs.find_job(document, vault, parameters[3]))

    def _protected_item_operation_status(self, parameters, _query, _body):
        with self._vault(parameters[:3]) as (document, _vault):
            operation = dict(protection.find_operation(document, parameters[5], ("put_item", "delete_item", "backup_trigger")))
        headers = {"Retry-After": str(compute.retry_after(operation))} if operation["status"] == "InProgress" else {}
        status = recovery_services.operation_status(operation)
        if operation.get("job_id"):
            status["properties"] = {"objectType": "OperationStatusJobExtendedInfo", "jobId": operation["job_id"]}
        return 200, status, headers

    def _protected_item_operation_result(self, parameters, query, _body):
        with self._vault(parameters[:3]) as (document, vault):
            operation = dict(protection.find_operation(document, parameters[5], ("put_item", "delete_item", "backup_trigger")))
            if operation["status"] == "InProgress":
                return 202, None, self._item_headers(vault, parameters[3], parameters[4], operation, query["api-version"])
            if operation["kind"] != "put_item":
                return 204, None
            return 200, protection.item_resource(document, vault, parameters[4],
                                                 protection.find_item(vault, parameters[3], parameters[4]))

    @contextmanager
    def _vault(self, parameters):
        """The state, locked and settled, and the vault the path's (subscription, resource group, vault) names."""
        subscription_id, resource_group, vault_name = parameters
        _check_subscription(subscription_id)
        with self.server.state.locked() as document:
            protection.settle(document)
            yield document, recovery_services.find_vault(document, subscription_id, resource_group, vault_name)

    def _refresh_headers(self, vault, operation, api_version):
        location = "%s%s/backupFabrics/Azure/operationResults/%s" % (self.server.base_url, vault["id"], operation["id"])
        return {"Location": "%s?api-version=%s" % (location, api_version), "Retry-After": str(compute.retry_after(operation))}

    def _item_headers(self, vault, container, item, operation, api_version):
        base = "%s/backupFabrics/Azure/protectionContainers/%s/protectedItems/%s" % (vault["id"], container, item)
        return self._backup_operation_headers(base, "operationsStatus", operation, api_version)

    def _backup_operation_headers(self, resource_path, status_segment, operation, api_version):
        """Azure Backup's answer to an asynchronous request on *resource_path*: where to ask the status and the result."""
        base = self.server.base_url + resource_path
        return {"Azure-AsyncOperation": "%s/%s/%s?api-version=%s" % (base, status_segment, operation["id"], api_version),
                "Location": "%s/operationResults/%s?api-version=%s" % (base, operation["id"], api_version),
                "Retry-After": str(compute.retry_after(operation))}

    def _get_backup_policy(self, parameters, _query, _body):
        subscription_id, resource_group, vault_name, name = parameters
        _check_subscription(subscription_id)
        with self.server.state.locked() as document:
            vault = recovery_services.find_vault(document, subscription_id, resource_group, vault_name)
            stored_name, properties = recovery_services.find_policy(vault, name)
            return 200, recovery_services.policy_resource(vault, stored_name, properties)

    def _put_backup_policy(self, parameters, query, body):
        subscription_id, resource_group, vault_name, name = parameters
        _check_subscription(subscription_id)
        request = _json_body(body)
        with self.server.state.locked() as document:
            vault = recovery_services.find_vault(document, subscription_id, resource_group, vault_name)
            operation = recovery_services.begin_put_policy(document, vault, name, request)
        return 202, None, self._policy_operation_headers(vault, operation, query["api-version"])

    def _backup_policy_operation_status(self, parameters, _query, _body):
        subscription_id, resource_group, vault_name, _name, operation_id = parameters
        _check_subscription(subscription_id)
        with self.server.state.locked() as document:
            recovery_services.find_vault(document, subscription_id, resource_group, vault_name)
            operation = dict(recovery_services.find_policy_operation(document, operation_id))
        headers = {"Retry-After": str(compute.retry_after(operation))} if operation["status"] == "InProgress" else {}
        return 200, recovery_services.operation_status(operation), headers

    def _backup_policy_operation_result(self, parameters, query, _body):
        subscription_id, resource_group, vault_name, name, operation_id = parameters
        _check_subscription(subscription_id)
        with self.server.state.locked() as document:
            vault = recovery_services.find_vault(document, subscription_id, resource_group, vault_name)
            operation = dict(recovery_services.find_policy_operation(document, operation_id))
            if operation["status"] == "InProgress":
                return 202, None, self._policy_operation_headers(vault, operation, query["api-version"])
            stored_name, properties = recovery_services.find_policy(vault, name)
            return 200, recovery_services.policy_resource(vault, stored_name, properties)

    def _policy_operation_headers(self, vault, operation, api_version):
        return self._backup_operation_headers("%s/backupPolicies/%s" % (vault["id"], operation["policy"]), "operations", operation,
                                              api_version)

    def _operation_headers(self, subscription_id, operation, api_version):
        status_url = "%s/subscriptions/%s/providers/Microsoft.Compute/locations/%s/operations/%s?p=%s&api-version=%s" % (
            self.server.base_url, subscription_id, operation["location"], operation["id"], uuid.uuid4().hex, api_version)
        return {"Azure-AsyncOperation": status_url, "Location": status_url + "&monitor=true",
                "Retry-After": str(compute.retry_after(operation))}

    def _send(self, status, document, headers=None):
        body = b"" if document is None else (json.dumps(document) + "\n").encode()
        self.send_response_only(status)
        request_id = str(uuid.uuid4())
        self.send_header("x-ms-request-id", request_id)
        self.send_header("x-ms-correlation-request-id", self.headers.get("x-ms-correlation-request-id") or request_id)
        self.send_header("Date", self.date_time_string())
        if body:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.status_sent = status

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(), format % args))


def _json_body(body):
    """The request's JSON document, or None for an empty or malformed body (the operation then refuses it)."""
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def _check_api_version(query):
    version = query.get("api-version")
    if not version:
        raise errors.missing_api_version()
    if not re.fullmatch(API_VERSION_PATTERN, version):
        raise errors.invalid_api_version(version)


def _check_subscription(subscription_id):
    if subscription_id.lower() != LAB_SUBSCRIPTION_ID:
        raise errors.subscription_not_found(subscription_id)
