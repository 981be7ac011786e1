#!/usr/bin/env bash
# Make the execution environment's build context with ansible-builder from meta/execution-environment.yml (after the
# collection's tarball was built into .cache/build) and check it holds what the image needs. Building the image itself
# needs a container engine and the registries, which CI does not have.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=${VENV_BIN:-$repo/.venv/bin}
installed=${1:-$repo/.cache/installed}
definition=$repo/.cache/ee-definition
context=$repo/.cache/ee-context
rm -rf "$definition" "$context"
mkdir -p "$definition"
# The definition beside the files it names, as they lie in the collection's root.
cp "$repo/meta/execution-environment.yml" "$repo/requirements.txt" "$repo/bindep.txt" "$repo"/.cache/build/drkit-microsoft-*.tar.gz "$definition/"
"$bin/ansible-builder" create -f "$definition/execution-environment.yml" --context "$context" --output-filename Containerfile >/dev/null
fail() { echo "execution environment context: $*" >&2; exit 1; }
grep -q 'ansible-core==2.19.14' "$context/Containerfile" || fail "ansible-core is not pinned in the Containerfile"
grep -q 'ansible-runner==' "$context/Containerfile" || fail "ansible-runner is missing"
grep -q 'drkit-microsoft-\*.tar.gz' "$context/Containerfile" || fail "the collection is not installed"
ls "$context"/_build/collection/drkit-microsoft-*.tar.gz >/dev/null || fail "the collection's tarball is not in the context"
for package in pywinrm pyodbc jmespath azure-storage-blob azure-identity azure-mgmt-recoveryservicesbackup; do
  grep -q "^$package" "$context/_build/requirements.txt" || fail "Python package $package is missing"
done
for package in unixODBC freetds krb5-workstation; do
  grep -q "^$package .*platform:rpm" "$context/_build/bindep.txt" || fail "system package $package is missing"
done
grep -q 'name: ansible.windows' "$context/_build/requirements.yml" || fail "collection ansible.windows is missing"
# What an execution environment that merely includes the installed collection learns from its metadata.
introspected=$("$bin/python" "$context/_build/scripts/introspect.py" introspect "$installed")
grep -q 'pywinrm>=0.5.0  # from collection drkit.microsoft' <<<"$introspected" || fail "introspection misses the Python requirements"
grep -q 'unixODBC \[platform:rpm\]  # from collection drkit.microsoft' <<<"$introspected" || fail "introspection misses the system requirements"
echo "execution environment context: ok ($context)"
