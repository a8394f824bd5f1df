#!/usr/bin/env sh
# The deployable directory of one service: its dist/ and its production dependencies, workspace packages copied in.
# Used by deploy/Dockerfile and by the standalone-deploy test, so both build the same artefact.
#
#   deploy/artefact.sh <service> <out dir>
#
# pnpm's lockfile-based deploy: it installs exactly the versions pnpm-lock.yaml pins, from the store, and needs no
# registry metadata. (The legacy deploy, `--legacy`, re-resolves every range and so needs metadata that
# `pnpm install --frozen-lockfile` never caches: it failed on every machine whose pnpm cache was cold.)
# The lockfile-based deploy requires workspace packages to be injected (copied, not linked), which is asked for
# here only: the repository itself keeps linking them, so a rebuilt package is seen without reinstalling.
set -eu
service="$1"
out="$2"
cd "$(dirname "$0")/.."
exec pnpm --filter "@airlock/$service" deploy --prod --config.inject-workspace-packages=true "$out"
