#!/usr/bin/env bash
# Creates the project-local virtualenv .venv with the independent implementations the tests
# compare against (Tests/requirements.txt). Re-runs pip only when the requirements change.
set -euo pipefail
venv=".venv"
requirements="Tests/requirements.txt"
stamp="$venv/.requirements.sha256"
wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  echo "setup: .venv up to date"
  exit 0
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
echo "$wanted" > "$stamp"
echo "setup: .venv ready ($("$venv/bin/python" --version))"
