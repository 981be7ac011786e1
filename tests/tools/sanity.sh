#!/usr/bin/env bash
# Run `ansible-test sanity` on a copy of the tracked tree placed where ansible-test
# expects a collection (.../ansible_collections/drkit/microsoft), so nothing the
# tests leave behind (venvs, outputs) is ever inside the tree under test.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=${VENV_BIN:-$repo/.venv/bin}
root=$repo/.cache/sanity
tree=$root/ansible_collections/drkit/microsoft

# ansible-test bootstraps pip in its venvs from this cached script (see get_pip_offline.py).
pip_version=$("$bin/python" -c 'from ansible_test._internal.python_requirements import get_venv_packages as g; print(g(type("P", (), {"version": "3.11"})())["pip"])')
cache=$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py
mkdir -p "$(dirname "$cache")"
cmp -s "$repo/tests/tools/get_pip_offline.py" "$cache" || cp "$repo/tests/tools/get_pip_offline.py" "$cache"

rm -rf "$tree"
mkdir -p "$tree"
# Tracked and new (not ignored) files that exist: the working tree as it would be committed.
(cd "$repo" && git ls-files --cached --others --exclude-standard -z |
  while IFS= read -r -d '' path; do [ -f "$path" ] && printf '%s\0' "$path"; done |
  tar --null -T - -cf -) | tar -xf - -C "$tree"
cd "$tree"
git init -q . && git add -A >/dev/null
python_version=$("$bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
PATH="$bin:$PATH" "$bin/ansible-test" sanity --requirements --python "$python_version" --color no "$@"
