"""The mabs_spread filter: VMs spread over MABS servers within their VM and TB limits."""
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.drkit.microsoft.plugins.filter.mabs_spread import mabs_spread

TIB = 1024 ** 4


def vm(name, size_tb, group=None, found=True):
    return {"name": name, "vm_id": "id-" + name, "host": "hv01.contoso.com", "size_bytes": int(size_tb * TIB), "protection_group": group,
            "found_by_inquiry": found}


def survey(name, count, tb, members):
    return {"name": name, "server": {"protected_vm_count": count, "protected_bytes": int(tb * TIB)}, "members": members}


def names(assignment):
    return dict((server, sorted(member["vm_id"][3:] for member in members)) for server, members in assignment.items())


def test_vms_go_to_the_server_with_the_most_room_largest_first():
    vms = [vm("a", 30), vm("b", 20), vm("c", 25)]
    assigned = mabs_spread([survey("MABS01", 0, 10, vms), survey("MABS02", 0, 0, vms)], group="G")
    # MABS02 (80 free) takes a (30); MABS01 (70 free) takes c (25); then MABS02 (50 free) takes b.
    assert names(assigned) == {"MABS01": ["c"], "MABS02": ["a", "b"]}


def test_members_already_protected_stay_and_count_limits_hold():
    vms = [vm("kept", 1, group="G"), vm("new1", 1), vm("new2", 1)]
    other = [vm("kept", 1, found=True), vm("new1", 1), vm("new2", 1)]
    assigned = mabs_spread([survey("MABS01", 799, 1, vms), survey("MABS02", 0, 0, other)], group="G", max_vms=800)
    assert names(assigned) == {"MABS01": ["kept"], "MABS02": ["new1", "new2"]}


def test_a_vm_only_goes_where_its_host_is_attached():
    assigned = mabs_spread([survey("MABS01", 0, 0, [vm("a", 1, found=False)]), survey("MABS02", 500, 70, [vm("a", 1)])], group="G")
    assert names(assigned) == {"MABS01": [], "MABS02": ["a"]}


def test_vms_that_fit_nowhere_are_named():
    with pytest.raises(AnsibleFilterError, match="big"):
        mabs_spread([survey("MABS01", 0, 79.5, [vm("big", 1), vm("small", 0.1)])], group="G")
