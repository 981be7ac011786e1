"""Azure Backup Server (MABS) and Hyper-V, behind the lab's WinRM endpoints (winrmlab).

Each lab MABS server is a WinRM endpoint over HTTPS that the real pywinrm client logs on to (basic
or NTLM). What its commands do is decided here, by the JSON contract of the collection's scripts
(executor.py); no PowerShell runs. The estate (estate.py) is the real state: hosts, clusters, VMs and
their disks and volumes, protection groups, jobs and recovery points, kept on disk across restarts.

Vendor behaviours it models:
  * DPM's view (Get-DPMProductionServer, Get-DPMDatasource -Inquire): attached hosts and cluster nodes
    with their agent's state, a clustered resource ``<vm>.<cluster>`` per clustered VM, data sources
    named ``Backup Using Child Partition Snapshot\\<vm>`` with the name the VM had when first protected
    (a renamed VM keeps its old data source name), VM ids as DPM's ComponentName, one data source id
    per VM and server; a VM whose host's agent is not working is not found by inquiry;
  * protection groups: names not kept unique (New-DPMProtectionGroup allows duplicates), one commit per
    modifiable copy (nothing is stored when an action fails), a group left without members is deleted,
    members removed with their disk data kept or deleted, a data source in one group only (the error
    text is the lab's: Microsoft documents no message for it), no change while the group has jobs in
    progress (the collection's own rule, which its apply script enforces);
  * replica creation now (a job that runs settings.job_seconds), later (a job scheduled at that time) or
    manual (no job); a completed replica job leaves a disk recovery point per VM;
  * PowerShell remoting from the MABS server to the Hyper-V hosts: Access is denied
    (AccessDenied,PSSessionStateBroken) for a logon that cannot be delegated (basic, NTLM) without an
    explicit credential, or with a wrong one; an unknown computer fails as unreachable
    (NetworkPathNotFound,PSSessionStateBroken) with WinRM's text;
  * the hosts' Hyper-V facts: OS version, integration services of host and VM and a protocol mismatch,
    SCSI controllers, pass-through disks, VHD sizes and the free space of the volume (by the longest
    mount-point prefix, cluster shared volumes shared by all nodes, SMB shares by \\\\server\\share),
    Linux guests, Hyper-V Replica mode, state and health;
  * recovery (recovery.py): the data sources of groups and kept replicas with their disk and online
    recovery points, a recovery job per request that ends as settings.recovery_outcome says, its effect
    on the estate (original instance restored, a VM on the alternate host, files in the network folder),
    a target without a working agent or that is not a Hyper-V host refused (the texts are the lab's),
    and the ledger the collection's script writes on the server;
  * the MABS build and the VMM settings that live migration needs (KnownVMMServers, the DPM-VMM helper
    service's port in the registry and in its configuration file).

Vendor behaviours it does not model; tests must not conclude anything about them from the lab:
  * running PowerShell: a script's text is recorded and identified, never interpreted; cmdlet parameter
    binding, DPM's object model and its exact error records are not exercised (the scripts are parsed by
    a PowerShell grammar in the tests instead);
  * disk allocation, storage pool space, tape, alerts, throttling, synchronization and express full jobs
    on their schedules, recovery point expiry, agent installation, e-mail notification (recorded only),
    SAN recovery (recorded only), item-level recovery of single files;
  * Kerberos, CredSSP and certificate logons, and delegation through them.
"""
