# drkit.microsoft script: sco/web_api_database
# Point Orchestrator's Web API (2022 and later) at a database: the Database__Address and Database__Database environment
# variables of the aspNetCore element of its web.config, as Microsoft documents. IIS restarts the application when
# web.config changes. Values arrive as parameters only.
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [Parameter(Mandatory = $true)][string]$ConfigPath,
    [Parameter(Mandatory = $true)][string]$Address,
    [Parameter(Mandatory = $true)][string]$Database
)
$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false

[xml]$config = Get-Content -LiteralPath $ConfigPath -Raw
$core = $config.SelectSingleNode('/configuration/location/system.webServer/aspNetCore')
if (-not $core) {
    $core = $config.SelectSingleNode('/configuration/system.webServer/aspNetCore')
}
if (-not $core) {
    throw "$ConfigPath has no aspNetCore element: is it the Web API's web.config?"
}
$variables = $core.SelectSingleNode('environmentVariables')
if (-not $variables) {
    $variables = $core.AppendChild($config.CreateElement('environmentVariables'))
}
$before = @{}
foreach ($pair in @(@('Database__Address', $Address), @('Database__Database', $Database))) {
    $name, $value = $pair
    $node = $variables.SelectSingleNode("environmentVariable[@name='$name']")
    $before[$name] = if ($node) { $node.GetAttribute('value') } else { $null }
    if ($before[$name] -ne $value) {
        if (-not $node) {
            $node = $variables.AppendChild($config.CreateElement('environmentVariable'))
            $node.SetAttribute('name', $name)
        }
        $node.SetAttribute('value', $value)
        $Ansible.Changed = $true
    }
}
$Ansible.Result = @{ before = $before; config = $ConfigPath }
if ($Ansible.Changed -and $PSCmdlet.ShouldProcess($ConfigPath, 'Point the Web API at the restored database')) {
    $config.Save($ConfigPath)
}
