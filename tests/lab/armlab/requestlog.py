"""What the lab's Resource Manager received (labframe/requestlog.py): per request its operation, method,
path, query and JSON body. Token request bodies (client secrets) are never kept."""
import json

from labframe import requestlog


class RequestLog(requestlog.RequestLog):
    def record(self, operation, method, path, query, body):  # pylint: disable=arguments-differ
        try:
            document = json.loads(body) if body else None
        except ValueError:
            document = {"undecodable_bytes": len(body)}
        super().record(operation, method=method, path=path, query=query, body=document)
