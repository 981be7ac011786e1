"""A test VM: page blobs in a fresh container, named and listed as the modules' ``disks`` option."""
import uuid


def create_vm(service, sizes, fill, prefix="vm"):
    """Create one page blob per entry of *sizes* (``"os"`` or a LUN -> bytes), each filled by ``fill(blob, size)``."""
    container = "%s-%s" % (prefix, uuid.uuid4().hex[:10])
    service.create_container(container)
    disks = []
    for lun, size in sizes.items():
        name = "disk-%s.vhd" % lun
        blob = service.get_blob_client(container, name)
        blob.create_page_blob(size=size)
        fill(blob, size)
        disks.append(dict({"container": container, "blob": name}, **({} if lun == "os" else {"lun": lun})))
    return {"name": "vm-" + container, "container": container, "disks": disks}
