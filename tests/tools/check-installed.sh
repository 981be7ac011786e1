#!/usr/bin/env bash
# Use the collection as users get it: from the built tarball installed into an empty path,
# with nothing of the working tree on the collections path.
set -euo pipefail
installed=$1
bin=$(dirname "$(command -v ansible-doc)")
export ANSIBLE_COLLECTIONS_PATH=$installed
root=$installed/ansible_collections/drkit/microsoft

"$bin/ansible-galaxy" collection list drkit.microsoft -p "$installed" | grep -q "drkit.microsoft"
for path in "$root"/plugins/modules/*.py; do
  module=$(basename "$path" .py)
  "$bin/ansible-doc" -t module "drkit.microsoft.$module" >/dev/null
  echo "ansible-doc drkit.microsoft.$module: ok"
done
for path in "$root"/roles/*/; do
  role=$(basename "$path")
  "$bin/ansible-doc" -t role "drkit.microsoft.$role" >/dev/null
  echo "ansible-doc -t role drkit.microsoft.$role: ok"
done
for kind in callback filter; do
  for path in "$root/plugins/$kind"/*.py; do
    plugin=$(basename "$path" .py)
    "$bin/ansible-doc" -t "$kind" "drkit.microsoft.$plugin" >/dev/null
    echo "ansible-doc -t $kind drkit.microsoft.$plugin: ok"
  done
done
for playbook in "$root"/playbooks/*.yml; do
  "$bin/ansible-playbook" --syntax-check -i localhost, "$playbook" >/dev/null
  echo "syntax-check $(basename "$playbook"): ok"
done
# The AWX project's playbooks, as AWX runs them: the installed collection's playbooks imported by name.
for playbook in "$root"/extensions/controller/project/*.yml; do
  "$bin/ansible-playbook" --syntax-check -i localhost, "$playbook" >/dev/null
  echo "syntax-check extensions/controller/project/$(basename "$playbook"): ok"
done
# What must never ship: lab dependencies, local state, caches.
if find "$root" \( -name node_modules -o -name .lab -o -name .venv -o -name __pycache__ \) | grep -q .; then
  echo "the built collection carries local state or dependencies" >&2
  exit 1
fi
