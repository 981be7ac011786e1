"""Which Blob service operation a request is, by method, path depth, comp/restype and headers.

The names (snake_case of the REST operation names) are what counters report and faults match.
A request the table does not know is named from its method and comp, e.g. "put_seal".
"""

# (method, comp) -> operation, for requests addressed to a blob.
BLOB = {
    ("GET", None): "get_blob", ("HEAD", None): "get_blob_properties", ("DELETE", None): "delete_blob",
    ("PUT", "page"): "put_page", ("GET", "pagelist"): "get_page_ranges",
    ("GET", "metadata"): "get_blob_metadata", ("HEAD", "metadata"): "get_blob_metadata",
    ("PUT", "metadata"): "set_blob_metadata", ("PUT", "properties"): "set_blob_properties",
    ("PUT", "snapshot"): "snapshot_blob", ("PUT", "lease"): "lease_blob", ("PUT", "copy"): "abort_copy_blob",
    ("PUT", "incrementalcopy"): "incremental_copy_blob", ("PUT", "block"): "put_block",
    ("PUT", "blocklist"): "put_block_list", ("GET", "blocklist"): "get_block_list",
    ("PUT", "appendblock"): "append_block", ("PUT", "tier"): "set_blob_tier",
    ("GET", "tags"): "get_blob_tags", ("PUT", "tags"): "set_blob_tags",
}
# (method, comp) -> operation, for requests addressed to a container (restype=container).
CONTAINER = {
    ("PUT", None): "create_container", ("GET", None): "get_container_properties",
    ("HEAD", None): "get_container_properties", ("DELETE", None): "delete_container",
    ("GET", "list"): "list_blobs", ("PUT", "metadata"): "set_container_metadata",
    ("GET", "metadata"): "get_container_metadata", ("HEAD", "metadata"): "get_container_metadata",
    ("GET", "acl"): "get_container_acl", ("HEAD", "acl"): "get_container_acl", ("PUT", "acl"): "set_container_acl",
    ("PUT", "lease"): "lease_container",
}
# (method, comp) -> operation, for requests addressed to the account.
ACCOUNT = {
    ("GET", "list"): "list_containers", ("GET", "properties"): "get_service_properties",
    ("PUT", "properties"): "set_service_properties", ("GET", "stats"): "get_service_stats",
    ("POST", "userdelegationkey"): "get_user_delegation_key", ("GET", "blobs"): "find_blobs_by_tags",
}
# Operations that change a blob: Azure refuses them on a snapshot.
BLOB_WRITES = frozenset(("put_blob", "copy_blob", "put_blob_from_url", "put_page", "clear_pages", "put_page_from_url",
                         "set_blob_metadata", "set_blob_properties", "snapshot_blob", "lease_blob", "abort_copy_blob",
                         "incremental_copy_blob", "put_block", "put_block_from_url", "put_block_list", "append_block",
                         "append_block_from_url"))


def classify(request):
    comp = request.param("comp")
    restype = request.param("restype")
    key = (request.method, comp)
    depth = len(request.segments)
    if restype == "account":
        return "get_account_information"  # at any depth
    if depth <= 1:
        return ACCOUNT.get(key) or _fallback(request, comp)
    if depth == 2 or restype == "container":
        return CONTAINER.get(key) or _fallback(request, comp)
    return _blob(request, key, comp)


def _blob(request, key, comp):
    copy_source = request.header("x-ms-copy-source")
    if key == ("PUT", None):
        if copy_source:
            # Put Blob From URL names the blob type; Copy Blob does not.
            return "put_blob_from_url" if request.header("x-ms-blob-type") else "copy_blob"
        return "put_blob"
    if key == ("PUT", "page"):
        if copy_source:
            return "put_page_from_url"
        if (request.header("x-ms-page-write") or "").lower() == "clear":
            return "clear_pages"
    if key == ("GET", "pagelist") and (request.param("prevsnapshot") or request.header("x-ms-previous-snapshot-url")):
        return "get_page_ranges_diff"
    if key in (("PUT", "block"), ("PUT", "appendblock")) and copy_source:
        return "put_block_from_url" if comp == "block" else "append_block_from_url"
    return BLOB.get(key) or _fallback(request, comp)


def _fallback(request, comp):
    return "%s_%s" % (request.method.lower(), comp or "request")
