"""Windows servers of AD RMS and System Center Orchestrator, behind the lab's WinRM endpoints (winrmlab), for
Ansible's own winrm connection and the Windows modules the collection's roles call.

Each server is a WinRM endpoint over HTTPS on a port of its own that Ansible's winrm connection plugin (pywinrm, NTLM)
logs on to. What a command does is decided here (executor.py): the lab accepts exactly what Ansible 2.19 sends for a
PowerShell module (``PowerShell ... -EncodedCommand`` of its bootstrap_wrapper.ps1, with stdin holding the bootstrap's
JSON, a line of four NUL characters and the exec wrapper's manifest), reads the module's name and arguments from the
manifest (module_wrapper.ps1's Script and complex_args, become_wrapper.ps1's user and password) and answers the module's
JSON result on stdout, as the module would. No PowerShell runs. The estate (estate.py) is the real state, kept on disk.

Vendor behaviours it models:
  * ansible.windows.win_powershell with the collection's role scripts, recognised by their first line
    (``# drkit.microsoft script: <name>``): the AD RMS facts of a server (Windows version, the ADRMS-Server feature,
    the /_wmcs applications when provisioned and the state of their application pools), joining a server to the
    cluster (Install-ADRMS with the JoinCluster provider: the configuration database and its server must be the
    cluster's, the service account's and the cluster key's passwords right; the lab's error texts), Orchestrator's
    data store connection read from Settings.dat (none when Orchestrator is not installed), and the Web API's
    web.config database variables (with -WhatIf in check mode, as the module runs a script that supports
    ShouldProcess); any other script is skipped in check mode (``skipped, running in check mode``, changed), as
    win_powershell does, and refused otherwise;
  * ansible.windows.win_feature (ADRMS-Server installed, with ``reboot_required`` false), win_regedit (string values),
    win_service (started, stopped, restarted; the restart counted), and microsoft.iis.web_app_pool (started, stopped),
    each with its module's changed and check mode answers;
  * become runas (the installer account joining the cluster): the account and password of become_wrapper.ps1 are
    checked, a wrong password fails as Windows does (``Failed to logon ...: The user name or password is incorrect.
    (Win32ErrorCode 1326 - 0x0000052E)``);
  * AD RMS's web services over HTTPS on the admin port (``/__lab/rms/<server>/_wmcs/...``), by status code only: 401
    while the server is provisioned and its pools run (IIS asking for Windows authentication; no WWW-Authenticate
    header is sent), 503 when a pool is stopped (IIS's "Service Unavailable"), 404 when AD RMS is not provisioned;
  * every module run recorded in the request log (operation "module": host, account, module, its arguments with
    passwords and secure parameters replaced, the become user, check mode); script texts kept by SHA-256.

Vendor behaviours it does not model; tests must not conclude anything about them from the lab:
  * running PowerShell: a script is identified, never interpreted, and the modules' own option checks are not applied;
  * modules other than the ones above (answered as failed, ``the lab does not model module ...``), async, win_reboot's
    reboot, Kerberos and CredSSP logons, UAC, the DPAPI encryption of Settings.dat, IIS sites and bindings.
"""
