"""The lab services' own endpoints (/__lab): the storage proxy's counters and faults, the lab
Resource Manager's state, request log, settings and faults."""
import json
import ssl
import urllib.request

ADMIN_URLS = {"storage_proxy": "drkit_lab_storage_proxy_admin", "arm": "drkit_lab_arm_admin", "mabs": "drkit_lab_mabs_admin",
              "windows": "drkit_lab_windows_admin"}


def admin(lab, method, path, body=None, service="storage_proxy"):
    """Call ``<service>/__lab<path>`` and return its JSON answer (None when empty)."""
    context = ssl.create_default_context(cafile=lab["drkit_lab_ca_bundle"])
    request = urllib.request.Request(lab[ADMIN_URLS[service]] + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, context=context) as response:
        text = response.read()
    return json.loads(text) if text else None
