"""Which operation a request is: its name (for faults, the request log and counters) and path parameters."""
import re

_SEGMENT = r"([^/?]+)"
_VM = r"/subscriptions/%s/resourcegroups/%s/providers/microsoft\.compute/virtualmachines/%s" % (_SEGMENT, _SEGMENT, _SEGMENT)
_VAULT = r"/subscriptions/%s/resourcegroups/%s/providers/microsoft\.recoveryservices/vaults/%s" % (_SEGMENT, _SEGMENT, _SEGMENT)
_POLICY = _VAULT + r"/backuppolicies/%s" % _SEGMENT
_FABRIC = _VAULT + r"/backupfabrics/azure"
_ITEM = _FABRIC + r"/protectioncontainers/%s/protecteditems/%s" % (_SEGMENT, _SEGMENT)
ROUTES = (
    ("GET", r"/metadata/endpoints", "cloud_metadata"),
    ("GET", r"/%s/v2\.0/\.well-known/openid-configuration" % _SEGMENT, "openid_configuration"),
    ("POST", r"/%s/oauth2/v2\.0/token" % _SEGMENT, "token"),
    ("GET", _VM, "get_vm"),
    ("GET", _VM + r"/instanceview", "get_vm_instance_view"),
    ("POST", _VM + r"/(poweroff|deallocate|start)", "vm_power_operation"),
    ("GET", r"/subscriptions/%s/providers/microsoft\.compute/locations/%s/operations/%s" % (_SEGMENT, _SEGMENT, _SEGMENT),
     "compute_operation"),
    ("GET", _VAULT, "get_vault"),
    ("PUT", _VAULT, "put_vault"),
    ("GET", _VAULT + r"/backupprotecteditems", "list_protected_items"),
    ("GET", _VAULT + r"/backupprotectableitems", "list_protectable_items"),
    ("POST", _FABRIC + r"/refreshcontainers", "refresh_containers"),
    ("GET", _FABRIC + r"/operationresults/%s" % _SEGMENT, "refresh_containers_result"),
    ("POST", r"/subscriptions/%s/providers/microsoft\.recoveryservices/locations/%s/backupstatus" % (_SEGMENT, _SEGMENT), "backup_status"),
    ("GET", _ITEM, "get_protected_item"),
    ("PUT", _ITEM, "put_protected_item"),
    ("DELETE", _ITEM, "delete_protected_item"),
    ("POST", _ITEM + r"/backup", "trigger_backup"),
    ("GET", _VAULT + r"/backupjobs/%s" % _SEGMENT, "get_backup_job"),
    ("GET", _ITEM + r"/operationsstatus/%s" % _SEGMENT, "protected_item_operation_status"),
    ("GET", _ITEM + r"/operationresults/%s" % _SEGMENT, "protected_item_operation_result"),
    ("GET", _POLICY, "get_backup_policy"),
    ("PUT", _POLICY, "put_backup_policy"),
    ("GET", _POLICY + r"/operations/%s" % _SEGMENT, "backup_policy_operation_status"),
    ("GET", _POLICY + r"/operationresults/%s" % _SEGMENT, "backup_policy_operation_result"),
)
_COMPILED = [(method, re.compile(pattern + r"/?", re.IGNORECASE), name) for method, pattern, name in ROUTES]


def match(method, path):
    """(operation name, path parameters) of a request, or (None, ()) when the lab does not serve it."""
    for route_method, pattern, name in _COMPILED:
        found = pattern.fullmatch(path)
        if found and route_method == method:
            return name, found.groups()
    return None, ()
