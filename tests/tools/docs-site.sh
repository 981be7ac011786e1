#!/usr/bin/env bash
# Build the docs site from the installed collection: antsibull-docs writes the pages of every module, plugin and role and
# the collection's extra docs (docs/docsite), then Sphinx builds the HTML with every warning an error.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
installed=$1
bin=${VENV_BIN:-$repo/.venv/bin}
build=$repo/.cache/docs-site
export ANSIBLE_COLLECTIONS_PATH=$installed DRKIT_DOCS_BUILD=$build PATH=$bin:$PATH
rm -rf "$build"
mkdir -p "$build"
mkdir -m 700 "$build/rst"
cp "$repo/docs/site/rst/index.rst" "$build/rst/"
"$bin/python" "$repo/docs/site/ansible_labels.py" "$build/ansible_devel.inv"
"$bin/antsibull-docs" --config-file "$repo/docs/site/antsibull-docs.cfg" collection --fail-on-error --use-current \
  --dest-dir "$build/rst" drkit.microsoft
"$bin/sphinx-build" -q -b html -c "$repo/docs/site" -W --keep-going "$build/rst" "$build/html"
echo "docs site: $build/html/index.html"
