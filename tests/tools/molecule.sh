#!/usr/bin/env bash
# Run every molecule scenario of every role against one lab started for the whole run.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=${VENV_BIN:-$repo/.venv/bin}
state=$repo/.cache/molecule-lab
"$bin/python" "$repo/tests/lab/labctl.py" start --state-dir "$state" >/dev/null
trap '"$bin/python" "$repo/tests/lab/labctl.py" stop --state-dir "$state" >/dev/null' EXIT
export DRKIT_LAB_INVENTORY=$state/inventory.yml
export DRKIT_LAB_PYTHON=$bin/python
export DRKIT_LAB_SQL_TOOL=$repo/tests/tools/lab_sql.py
export DRKIT_LAB_MABS_TOOL=$repo/tests/tools/lab_mabs.py
export DRKIT_LAB_WINDOWS_TOOL=$repo/tests/tools/lab_windows.py
status=0
for scenario_dir in "$repo"/roles/*/molecule/*/; do
  role_dir=$(dirname "$(dirname "$scenario_dir")")
  scenario=$(basename "$scenario_dir")
  echo "== molecule test: $(basename "$role_dir") / $scenario"
  (cd "$role_dir" && "$bin/molecule" test -s "$scenario") || status=1
done
exit $status
