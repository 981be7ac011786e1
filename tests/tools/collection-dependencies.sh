#!/usr/bin/env bash
# Put the collections this one depends on (galaxy.yml `dependencies`) into a collections path.
# They come from the Ansible community package on PyPI, which carries released builds of them,
# so a machine that reaches PyPI but not Ansible Galaxy can lint, syntax-check and install the roles.
# Usage: collection-dependencies.sh <collections path>
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=${VENV_BIN:-$repo/.venv/bin}
target=$1
package=$(grep -v '^#' "$repo/tests/requirements-collections.txt")
wheels=$repo/.cache/wheels
mkdir -p "$wheels"
"$bin/python" -m pip download -q --no-deps --dest "$wheels" "$package"
"$bin/python" - "$repo/galaxy.yml" "$wheels/ansible-${package#ansible==}-py3-none-any.whl" "$target" <<'PY'
import json, os, shutil, sys, zipfile

import yaml

galaxy, wheel, target = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive:
    for name in yaml.safe_load(open(galaxy))["dependencies"]:
        prefix = "ansible_collections/%s/" % name.replace(".", "/")
        shutil.rmtree(os.path.join(target, prefix), ignore_errors=True)
        members = [member for member in archive.namelist() if member.startswith(prefix)]
        if not members:
            sys.exit("%s does not carry the collection %s" % (os.path.basename(wheel), name))
        archive.extractall(target, members)
        info = json.load(open(os.path.join(target, prefix, "MANIFEST.json")))["collection_info"]
        print("%s %s" % (name, info["version"]))
PY
