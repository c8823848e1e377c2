#!/usr/bin/env bash
# The main job, end to end, on a fresh simulated illumos global zone:
# a golden zone is created and snapshotted, a disposable clone is made from
# it, a real command runs inside the clone, the clone is destroyed, and
# the remaining zones are listed. Run by `make demo`.
set -euo pipefail
BIN=${ZONEMGR_BIN:-$(cd "$(dirname "$0")/.." && pwd)/bin}
work=$(mktemp -d "${TMPDIR:-/tmp}/zonemgr-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$BIN/illumos-sim" init "$work/gz"
"$BIN/illumos-sim" links "$work/tools"
export PATH="$work/tools:$BIN:$PATH" ILLUMOS_SIM_ROOT="$work/gz" ZONEMGR_ROOT="$work/gz" ELEVATE_CMD=none

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' off=$'\033[0m'; else bold='' off=''; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$off"; }
run() { printf '$ %s\n' "$*" >&2; "$@"; }

step "A simulated illumos global zone at $work/gz"
run zoneadm list -cv
run zfs list -r rpool

step "Create the golden-image zone 'golden': install, first boot, build user copied and elevated, snapshots"
run zonemgr create-giz -z golden --copy-users jenkins --copy-groups jenkins --elevate-users jenkins
run zonemgr list-snapshots -z golden

step "Clone a disposable zone from its newest snapshot, with the source tree mounted by lofs"
mkdir -p "$work/gz/export/src" && echo 'int main(void) { return 0; }' >"$work/gz/export/src/main.c"
diz=$(run zonemgr -q create-diz -c golden --copy-users jenkins --mount-lofs "/export/src")

run zonemgr -z "$diz" start
run zoneadm list -cv

step "Run a real command inside $diz, as the build user; its exit code comes back"
run zonemgr exec -z "$diz" --exec-user jenkins --exec-cmd 'echo "hello from $(cat /etc/nodename) as $(id -un) (uid $(id -u))"; cat /export/src/main.c; echo built > /tmp/artifact; ls -l /tmp/artifact; exit 3' || echo "exit code: $?"
echo "the clone's file is not in the golden zone:"
test -e "$work/gz/zones/_zonemgr/DIZ/$diz/root/tmp/artifact" && echo "  $diz: /tmp/artifact exists"
test ! -e "$work/gz/zones/_zonemgr/GIZ/golden/root/tmp/artifact" && echo "  golden: no /tmp/artifact"

step "Destroy the disposable zone (its clone, configuration and everything made for it)"
run zonemgr -z "$diz" destroy

step "The one-shot form: clone, boot, run as the build user, destroy"
run zonemgr exec-diz -c golden --exec-user jenkins --copy-users jenkins --exec-cmd 'echo "built in $(cat /etc/nodename)"'

step "What remains"
run zonemgr list
run zoneadm list -cv
run zfs list -o name,origin -r rpool/zones/_zonemgr
