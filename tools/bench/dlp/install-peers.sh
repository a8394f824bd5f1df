#!/usr/bin/env bash
# Installs the tools the DLP benchmark compares against into a state directory, from package registries only:
# gitleaks built from the Go module proxy, detect-secrets and Presidio (analyzer only, no NLP model) from PyPI.
# Idempotent: a tool already installed is kept. Usage: install-peers.sh <state dir>
set -euo pipefail
STATE="$1"
GITLEAKS_VERSION="v8.24.3"
DETECT_SECRETS_VERSION="1.5.0"
PRESIDIO_VERSION="2.2.360"
mkdir -p "$STATE/bin" "$STATE/go" "$STATE/py"

if [ ! -x "$STATE/bin/gitleaks" ]; then
  echo "[bench-dlp] building gitleaks $GITLEAKS_VERSION from the Go module proxy" >&2
  GOPATH="$STATE/go" GOMODCACHE="$STATE/go/mod" GOBIN="$STATE/bin" GOFLAGS=-modcacherw \
    go install "github.com/zricethezav/gitleaks/v8@$GITLEAKS_VERSION" >&2
fi

if [ ! -x "$STATE/py/venv/bin/python" ]; then
  python3 -m venv "$STATE/py/venv.partial"
  mv "$STATE/py/venv.partial" "$STATE/py/venv"
fi
PY="$STATE/py/venv/bin/python"
if ! "$PY" -c 'import detect_secrets' 2>/dev/null; then
  echo "[bench-dlp] installing detect-secrets $DETECT_SECRETS_VERSION from PyPI" >&2
  "$PY" -m pip install --quiet "detect-secrets==$DETECT_SECRETS_VERSION" >&2
fi
if ! "$PY" -c 'import presidio_analyzer' 2>/dev/null; then
  echo "[bench-dlp] installing presidio-analyzer $PRESIDIO_VERSION from PyPI (no spaCy model is downloaded)" >&2
  "$PY" -m pip install --quiet "presidio-analyzer==$PRESIDIO_VERSION" >&2
fi
