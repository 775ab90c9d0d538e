#!/usr/bin/env bash
# Installs what Streamflow needs on a Debian machine, and nothing that is already there:
# the C libraries' -dev packages, ffmpeg/ffprobe (tests and benchmarks), protoc (a wire-bytes cross-check test),
# pkg-config, python3-venv. Every tool a test or make target calls is installed here or by setup-venv.sh.
# Idempotent: when every package is present it only checks and exits.
set -euo pipefail

packages=(
  pkg-config
  liblmdb-dev libsecp256k1-dev librdkafka-dev libssl-dev
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libavfilter-dev
  ffmpeg protobuf-compiler jq
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ! python3 -m venv --help >/dev/null 2>&1; then missing+=(python3-venv); fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: system packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
