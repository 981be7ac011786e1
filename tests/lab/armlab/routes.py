"""Which operation a request is: its name (for faults, the request log and counters) and path parameters."""
import re

_SEGMENT = r"([^/?]+)"
_VM = r"/subscriptions/%s/resourcegroups/%s/providers/microsoft\.compute/virtualmachines/%s" % (_SEGMENT, _SEGMENT, _SEGMENT)
_VAULT = r"/subscriptions/%s/resourcegroups/%s/providers/microsoft\.recoveryservices/vaults/%s" % (_SEGMENT, _SEGMENT, _SEGMENT)
_POLICY = _VAULT + r"/backuppolicies/%s" % _SEGMENT
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
