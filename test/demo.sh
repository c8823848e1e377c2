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
export PATH="$work/tools:$PATH" ILLUMOS_SIM_ROOT="$work/gz" ZONEMGR_ROOT="$work/gz" ELEVATE_CMD=none

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# module NAME JSON: run an Ansible module binary as Ansible does (an args
# file as argv[1]) and show its message; fail the demo when it fails.
module() {
	printf '%s\n' "$2" >"$work/args.json"
	echo "\$ $1 $2"
	if ! "$BIN/$1" "$work/args.json" >"$work/result.json"; then
		cat "$work/result.json"
		exit 1
	fi
	sed -n 's/.*"msg":"\([^"]*\)".*/  -> \1/p' "$work/result.json"
}
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$work/result.json"; }

step "A simulated global zone at $work/gz"
zoneadm list -cv
zfs list -r rpool

step "Create the golden-image zone 'golden' (install, first boot, post-install setup, snapshots)"
module zone_giz '{"name": "golden", "copy_users": ["jenkins"], "copy_groups": ["jenkins"], "elevate_users": ["jenkins"]}'
zfs list -t snapshot -o name -r rpool/zones/_zonemgr/GIZ/golden

step "Clone a disposable zone from it and boot it"
module zone_diz '{"giz": "golden", "state": "running", "copy_users": ["jenkins"], "mount_lofs": ["/export/home"]}'
diz=$(field name)
echo "disposable zone: $diz"
zoneadm list -cv

step "Run a real command inside $diz, as the build user"
zlogin -l jenkins "$diz" 'echo "hello from $(cat /etc/nodename) as $(id -un) (uid $(id -u))"; echo built > /tmp/artifact; ls -l /tmp/artifact'
echo "the golden zone does not see the clone's file:"
zlogin -S "$diz" "test -f /tmp/artifact && echo '  in $diz: /tmp/artifact exists'"
test ! -e "$work/gz/zones/_zonemgr/GIZ/golden/root/tmp/artifact" && echo "  in golden: no /tmp/artifact"

step "Destroy the disposable zone"
module zone_diz "{\"name\": \"$diz\", \"state\": \"absent\"}"

step "What remains"
zoneadm list -cv
zfs list -o name,origin -r rpool/zones/_zonemgr
