#!/usr/bin/env bash
# Installs what is missing, builds Intake and serves it on http://127.0.0.1:3000.
# Usage: scripts/run.sh [--release]   (settings: see README, or a .env file)
set -euo pipefail
source "$(dirname "$0")/tools.sh"
ensure_tools
step "building and starting Intake (Ctrl-C stops it)"
exec cargo leptos serve --split "$@"
