"""A MABS estate whose VMs have recovery points, and the options of a recovery from it: what the recovery tests start from."""

SQL01 = "1f0a6f1e-0000-4000-8000-000000000001"
FS01 = "1f0a6f1e-0000-4000-8000-000000000004"
POINTS = ["2026-11-18T20:00:00.000000Z", "2026-11-19T20:00:00.000000Z", "2026-11-20T20:00:00.000000Z"]


def protected_estate(**settings):
    """A change of the demo estate: SQL01 and FS01 protected by MABS01, with three disk recovery points each and one online
    point of SQL01; *settings* added to the estate's settings."""
    def change(estate):
        server = estate["servers"]["mabs01.contoso.com"]
        server["groups"]["g1"] = {"name": "Servers", "members": [SQL01, FS01], "policy": None, "replica_creation": {"method": "now", "at": None},
                                  "created": POINTS[0]}
        for vm_id in (SQL01, FS01):
            estate["recovery_points"][vm_id] = [{"server": "mabs01.contoso.com", "time": time, "location": "Disk"} for time in POINTS]
        estate["recovery_points"][SQL01].append({"server": "mabs01.contoso.com", "time": "2026-11-19T21:00:00.000000Z", "location": "Online"})
        estate["settings"].update(settings)
    return change


def recovery_args(mabs_args, **options):
    """The options of a recovery of SQL01 to its original instance (the module reads no Hyper-V host), with *options*."""
    args = mabs_args(vm={"host": "HV01.contoso.com", "vm": "SQL01"}, location="original", poll_interval=1, wait_timeout=60)
    del args["hyperv_host_user"], args["hyperv_host_password"]
    args.update(options)
    return args
