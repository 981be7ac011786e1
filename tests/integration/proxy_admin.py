"""The lab storage proxy's own endpoints (/__lab): counters of bytes and requests, injected faults."""
import json
import ssl
import urllib.request


def admin(lab, method, path, body=None):
    """Call ``<proxy>/__lab<path>`` and return its JSON answer (None when empty)."""
    context = ssl.create_default_context(cafile=lab["drkit_lab_ca_bundle"])
    request = urllib.request.Request(lab["drkit_lab_storage_proxy_admin"] + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, context=context) as response:
        text = response.read()
    return json.loads(text) if text else None
