"""The lab's own endpoints under /__lab (no ARM path starts so); no authentication, 127.0.0.1 only.

    GET    /__lab/state                 the whole state: settings, virtual machines, operations
    PUT    /__lab/virtual-machines      create or replace a VM: {resource_group, name, location,
                                        storage_profile (ARM's shape), power_state, vm_size, vm_id}
    PUT    /__lab/vaults                create a Recovery Services vault: {resource_group, name, location, redundancy,
                                        cross_region_restore, protected_items (names)}
    PATCH  /__lab/settings              {"operation_seconds": how long an operation or a job phase runs,
                                         "job_outcome": how the next backup jobs end (armlab/jobs.py)}
    GET    /__lab/requests              the Resource Manager requests received, oldest first
    DELETE /__lab/requests              forget them; answers what they were
    GET    /__lab/faults                the armed faults (labframe/faults.py)
    POST   /__lab/faults                arm one; operations are routes.py's names
    DELETE /__lab/faults                disarm all
"""
import json

from armlab import LAB_SUBSCRIPTION_ID, compute, jobs, protection, recovery_services

PREFIX = "/__lab"


def _settings(spec):
    """The settings a PATCH changes, checked."""
    changed = {}
    if "operation_seconds" in spec:
        seconds = spec["operation_seconds"]
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
            raise ValueError("operation_seconds must be a number >= 0")
        changed["operation_seconds"] = float(seconds)
    if "job_outcome" in spec:
        if spec["job_outcome"] not in jobs.OUTCOMES:
            raise ValueError("job_outcome must be one of %s" % ", ".join(jobs.OUTCOMES))
        changed["job_outcome"] = spec["job_outcome"]
    if not changed:
        raise ValueError("give operation_seconds or job_outcome")
    return changed


def handle(method, route, body, server):
    """(status, document) of an admin call."""
    try:
        spec = json.loads(body) if body else {}
        if not isinstance(spec, dict):
            raise ValueError("the body must be a JSON object")
        if (method, route) == ("GET", "/state"):
            with server.state.locked() as document:
                compute.settle(document)
                recovery_services.settle(document)
                protection.settle(document)
                return 200, document
        if (method, route) == ("PUT", "/virtual-machines"):
            with server.state.locked() as document:
                return 200, compute.put_vm(document, LAB_SUBSCRIPTION_ID, spec)
        if (method, route) == ("PUT", "/vaults"):
            with server.state.locked() as document:
                return 200, recovery_services.put_vault(document, LAB_SUBSCRIPTION_ID, spec)
        if (method, route) == ("PATCH", "/settings"):
            with server.state.locked() as document:
                document["settings"].update(_settings(spec))
                return 200, document["settings"]
        if (method, route) == ("GET", "/requests"):
            return 200, server.request_log.entries()
        if (method, route) == ("DELETE", "/requests"):
            return 200, server.request_log.clear()
        if (method, route) == ("GET", "/faults"):
            return 200, server.faults.list()
        if (method, route) == ("POST", "/faults"):
            return 201, server.faults.add(spec)
        if (method, route) == ("DELETE", "/faults"):
            return 200, server.faults.clear()
    except ValueError as error:
        return 400, {"error": str(error)}
    return 404, {"error": "no such lab endpoint: %s %s%s" % (method, PREFIX, route)}
