#!/usr/bin/env bash
# fleet.sh: a fleet of simulated illumos global zones that Ansible reaches
# over real SSH, as it reaches real hosts.
#
#   fleet.sh up DIR N [NOSIM]  start N global zones gz1..gzN (and NOSIM hosts
#                              nosim1.. without the sim's tools) under DIR
#   fleet.sh down DIR          stop every process of the fleet, remove its
#                              network namespaces, keys and DIR (idempotent)
#   fleet.sh run DIR CMD...    run CMD (ansible, ansible-playbook, ssh...) on
#                              the fleet's network with its Ansible settings
#   fleet.sh stop DIR HOST     stop every process of one host (its sshd and
#                              whatever runs there): the host goes down
#   fleet.sh missing           say why the fleet cannot run here (exit 1),
#                              or nothing (exit 0)
#
# Each host is one network namespace on the fleet's own LAN (a bridge in a
# control namespace, 10.213.0.0/24; the root namespace gets no address and
# no route) with its own sshd (Debian's openssh-server) on port 22, its own
# simulated global zone (illumos-sim init), and its own view of the files
# that differ between hosts (a mount and UTS namespace): its hostname, its
# /etc/passwd, /etc/shadow and /etc/group (with root and jim, an ordinary
# user whose rights come only from RBAC profiles), /var/tmp, /run, and the
# sim's tools in /usr/sbin and /usr/bin (zfs, zpool, zonecfg, zoneadm,
# zlogin, dladm, svcadm; pfexec, svcs, pkg), where illumos has them, so
# that they are on the login PATH without any client-side setting.
# Privileged tools go through simkernel (setuid root), which takes the
# caller's identity from the login's real uid; pfexec is the sim's own and
# runs as the user. The sim's state root and zonemgr's root come from the
# host's sshd (SetEnv ILLUMOS_SIM_ROOT=... ZONEMGR_ROOT=...), for every
# login and whatever the client sends: on illumos both are "/". Every host
# sees its own state only: in DIR/hosts, where the hosts' directories
# are, it finds its own, DIR/hosts/NAME, and nothing else. Ansible runs
# in the control namespace (fleet.sh run) with DIR/ansible.cfg: inventory
# DIR/inventory.ini, the fleet's key, strict host-key checking against
# DIR/ssh/known_hosts.
#
# With FLEET_OWNER_PID set, up also starts a watchdog that takes the fleet
# down when that process ends (a test killed before its cleanup ran).
#
# Needs root, iproute2 (ip netns), util-linux (unshare), openssh-server and
# openssh-client, Go (to build simkernel and the module binaries), and the
# built illumos-sim in $ZONEMGR_BIN (default bin/). Nothing is written
# outside DIR but the network namespaces' names (/run/netns), all removed
# by down.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
GO=${GO:-go}
subnet=10.213.0

die() { echo "fleet: $*" >&2; exit 1; }

usage() {
	sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# absdir DIR: DIR as an absolute path (DIR need not exist).
absdir() {
	case $1 in
	/*) printf '%s\n' "${1%/}" ;;
	*) printf '%s\n' "$(pwd)/${1%/}" ;;
	esac
}

# prefix DIR: the network namespaces' name prefix, the same for a DIR
# each time.
prefix() { printf 'zf%s' "$(printf '%s' "$1" | cksum | cut -c1-7)"; }

# missing: why the fleet cannot run here, or nothing.
missing() {
	[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces, sshd, setuid simkernel)"; return; }
	command -v ip >/dev/null || { echo "ip is not installed (apt-get install -y --no-install-recommends iproute2)"; return; }
	command -v unshare >/dev/null || { echo "unshare is not installed (util-linux)"; return; }
	[ -x /usr/sbin/sshd ] || { echo "sshd is not installed (apt-get install -y --no-install-recommends openssh-server)"; return; }
	command -v ssh >/dev/null && command -v ssh-keygen >/dev/null || { echo "ssh is not installed (apt-get install -y --no-install-recommends openssh-client)"; return; }
	unshare -n true 2>/dev/null || { echo "network namespaces are not permitted here (unshare -n fails)"; return; }
	unshare -m true 2>/dev/null || { echo "mount namespaces are not permitted here (unshare -m fails)"; return; }
	grep -qw overlay /proc/filesystems || { echo "the kernel has no overlay file system"; return; }
}

# The script each host runs in its own network, mount and UTS namespaces
# before it becomes the host's sshd. $1 DIR, $2 host name, $3 1 for a
# host without the sim's tools. A host's zone roots are seen at paths no
# other host has, as on real hosts: the sim finds a zone's processes by
# their root directory's path (/proc/PID/root), which every mount
# namespace shows alike.
host_script='
set -eu
D=$1 H=$2 NOSIM=$3
mount --bind "$D/hosts/$H" "$D/.mnt"
mount -t tmpfs -o mode=0755,size=64k fleet-others "$D/hosts"
mkdir -m 0755 "$D/hosts/$H"
mount --move "$D/.mnt" "$D/hosts/$H"
h=$D/hosts/$H
mount --bind "$h/vartmp" /var/tmp
for f in passwd shadow group; do mount --bind "$h/etc/$f" "/etc/$f"; done
if [ "$NOSIM" = 0 ]; then
	mount -t overlay fleet-sbin -o "lowerdir=$D/tools/sbin:/usr/sbin" /usr/sbin
	mount -t overlay fleet-bin -o "lowerdir=$D/tools/bin:/usr/bin" /usr/bin
fi
mount -t tmpfs -o mode=0755,size=1m fleet-run /run
mkdir -m 0755 /run/sshd
hostname "$H"
exec /usr/sbin/sshd -D -e -f "$h/sshd_config"
'

# up DIR N NOSIM
up() {
	local dir=$1 n=$2 nosim=${3:-0}
	case $n in '' | *[!0-9]*) die "N must be a number, not '$n'" ;; esac
	case $nosim in *[!0-9]*) die "NOSIM must be a number, not '$nosim'" ;; esac
	[ "$n" -ge 1 ] && [ $((n + nosim)) -le 200 ] || die "N must be 1 to 200"
	local why
	why=$(missing)
	[ -z "$why" ] || die "cannot start: $why"
	case $dir/ in
	/var/tmp/* | /run/* | /usr/bin/* | /usr/sbin/* | /etc/*) die "DIR must not be under /var/tmp, /run, /usr/bin, /usr/sbin or /etc: each host mounts its own there" ;;
	esac
	local bin=${ZONEMGR_BIN:-$top/bin}
	[ -x "$bin/illumos-sim" ] || die "$bin/illumos-sim is not built: run make build"
	if [ -e "$dir/.fleet" ]; then
		down "$dir"
	fi
	[ ! -e "$dir" ] || [ -z "$(ls -A "$dir")" ] || die "$dir exists and is not a fleet's directory"
	mkdir -p "$dir"
	chmod 0755 "$dir"
	: >"$dir/.fleet"
	# From here on a failure, or an interrupt, takes down what was made.
	up_dir=$dir
	trap up_failed EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	local p
	p=$(prefix "$dir")
	echo "prefix $p" >"$dir/fleet.state"
	mkdir -p "$dir/bin" "$dir/tools/sbin" "$dir/tools/bin" "$dir/ssh" "$dir/.mnt" "$dir/hosts" "$dir/cp"
	chmod 0755 "$dir/bin" "$dir/tools" "$dir/tools/sbin" "$dir/tools/bin" "$dir/.mnt" "$dir/hosts"
	chmod 0700 "$dir/ssh" "$dir/cp"

	# The binaries every host runs, and the collection the control side
	# installs: built once, shared read-only.
	cp "$bin/illumos-sim" "$dir/bin/illumos-sim"
	chmod 0755 "$dir/bin/illumos-sim"
	(cd "$top" && CGO_ENABLED=0 "$GO" build -trimpath -o "$dir/bin/simkernel" ./test/fleet/simkernel)
	chown 0:0 "$dir/bin/simkernel"
	chmod 4755 "$dir/bin/simkernel"
	local t
	for t in zfs zpool zonecfg zoneadm zlogin dladm svcadm; do ln -s "$dir/bin/simkernel" "$dir/tools/sbin/$t"; done
	for t in svcs pkg; do ln -s "$dir/bin/simkernel" "$dir/tools/bin/$t"; done
	ln -s "$dir/bin/illumos-sim" "$dir/tools/bin/pfexec"
	collection "$dir"

	ssh-keygen -q -t ed25519 -N '' -C "zonemgr-fleet" -f "$dir/ssh/id_ed25519"
	: >"$dir/ssh/known_hosts"

	# The control namespace: the fleet's LAN, where Ansible runs.
	local ctl=${p}c
	ip netns add "$ctl"
	echo "netns $ctl" >>"$dir/fleet.state"
	echo "ctl $ctl" >>"$dir/fleet.state"
	ip -n "$ctl" link set lo up
	ip -n "$ctl" link add fleet0 type bridge
	ip -n "$ctl" addr add "$subnet.1/24" dev fleet0
	ip -n "$ctl" link set fleet0 up

	local i name kind
	for ((i = 1; i <= n + nosim; i++)); do
		if [ "$i" -le "$n" ]; then name=gz$i kind=0; else name=nosim$((i - n)) kind=1; fi
		host "$dir" "$p" "$ctl" "$i" "$name" "$kind"
	done
	for ((i = 1; i <= n + nosim; i++)); do
		if [ "$i" -le "$n" ]; then name=gz$i; else name=nosim$((i - n)); fi
		wait_sshd "$dir" "$name"
	done
	inventory "$dir" "$n" "$nosim" >"$dir/inventory.ini"
	cat >"$dir/ansible.cfg" <<-EOF
		# Ansible's settings for the simulated fleet (fleet.sh run sets
		# ANSIBLE_CONFIG to this file).
		[defaults]
		inventory = $dir/inventory.ini
		collections_path = $dir/collections
		host_key_checking = True
		retry_files_enabled = False
		interpreter_python = /usr/bin/python3

		[ssh_connection]
		control_path_dir = $dir/cp
	EOF
	if [ -n "${FLEET_OWNER_PID:-}" ]; then
		watchdog "$dir" "$FLEET_OWNER_PID"
	fi
	trap - EXIT INT TERM
	local hosts
	hosts=$(state "$dir" host | awk '{ printf "%s%s %s", sep, $1, $3; sep = ", " }')
	cat <<-EOF
		fleet: up in $dir: $hosts (network namespaces $p*)
		  inventory $dir/inventory.ini (log in as root, or as jim with -e ansible_user=jim)
		  $self run $dir ansible build_gz -m illumos.zonemgr.zone_info
		  $self run $dir ansible-playbook playbooks/giz-rollout.yml
		  $self down $dir    (make fleet-down)
	EOF
}

# up_failed: the EXIT trap of up.
up_failed() {
	local rc=$?
	echo "fleet: up failed; taking down what it made" >&2
	down "$up_dir" >&2 || true
	exit "$rc"
}

# collection DIR: the illumos.zonemgr collection as users install it,
# with the stripped Linux build of the module binaries, in
# DIR/collections (packed and installed with ansible-galaxy when it is
# installed, else laid out directly).
collection() {
	local dir=$1 src=$1/collection-src/ansible_collections/illumos/zonemgr
	mkdir -p "$(dirname "$src")"
	cp -R "$top/collection" "$src"
	local mods=()
	local m
	for m in "$top"/modules/zone_*; do mods+=("./modules/$(basename "$m")"); done
	(cd "$top" && CGO_ENABLED=0 GOOS=linux GOARCH=amd64 "$GO" build -trimpath -ldflags='-s -w' -o "$src/plugins/modules/" "${mods[@]}")
	if command -v ansible-galaxy >/dev/null; then
		# (install warns that DIR/collections is not on the default
		# collections path: DIR/ansible.cfg puts it there.)
		ansible-galaxy collection build --force --output-path "$dir/collection-src" "$src" >"$dir/collection.log" 2>&1 &&
			ansible-galaxy collection install --force -p "$dir/collections" "$dir"/collection-src/illumos-zonemgr-*.tar.gz >>"$dir/collection.log" 2>&1 ||
			{ cat "$dir/collection.log" >&2; return 1; }
	else
		mkdir -p "$dir/collections/ansible_collections/illumos"
		cp -R "$src" "$dir/collections/ansible_collections/illumos/zonemgr"
	fi
}

# host DIR PREFIX CTL I NAME NOSIM: one host: its namespace and link,
# its files, its sshd.
host() {
	local dir=$1 p=$2 ctl=$3 i=$4 name=$5 nosim=$6
	local ns=${p}h$i addr=$subnet.$((10 + i)) h=$dir/hosts/$5
	ip netns add "$ns"
	echo "netns $ns" >>"$dir/fleet.state"
	echo "host $name $ns $addr" >>"$dir/fleet.state"
	ip -n "$ctl" link add "v$i" type veth peer name eth0 netns "$ns"
	ip -n "$ctl" link set "v$i" master fleet0
	ip -n "$ctl" link set "v$i" up
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add "$addr/24" dev eth0
	ip -n "$ns" link set eth0 up

	mkdir -p "$h/etc" "$h/vartmp" "$h/home/root/.ssh" "$h/home/jim/.ssh" "$h/ssh"
	chmod 0755 "$h" "$h/etc" "$h/home"
	chmod 1777 "$h/vartmp"
	chmod 0700 "$h/home/root" "$h/home/root/.ssh" "$h/home/jim/.ssh"
	chmod 0755 "$h/home/jim"
	if [ "$nosim" = 0 ]; then
		"$dir/bin/illumos-sim" init "$h/root"
		mkdir -p "$h/root/export/src"
		# zonemgr keeps its journals in /var/zonemgr/journal and its
		# locks in /var/run/zonemgr/locks, written by zonemgr's own
		# process: under pfexec that process keeps the user's
		# credentials (only the commands the user's profiles list get
		# privileges), so on a host where jim runs zonemgr they must be
		# his (root's runs write there too, as root may).
		mkdir -p "$h/root/var/zonemgr/journal" "$h/root/var/run/zonemgr/locks"
		chown -R 1002:100 "$h/root/var/zonemgr" "$h/root/var/run/zonemgr"
		chmod 0755 "$h/root/var/zonemgr" "$h/root/var/run/zonemgr"
		chmod 0700 "$h/root/var/zonemgr/journal" "$h/root/var/run/zonemgr/locks"
	fi
	# The host's accounts: the machine's, with root's home in the host's
	# own directory and jim (uid 1002, as in the sim's /etc/passwd, where
	# his RBAC profiles are) added; no password (logins are by key only),
	# and no copy of the machine's password hashes.
	local home=$h/home
	awk -F: -v OFS=: -v home="$home" '$1 == "jim" { next } $1 == "root" { $6 = home "/root" } { print }' /etc/passwd >"$h/etc/passwd"
	echo "jim:x:1002:100:Jim Builder (RBAC profiles):$home/jim:/bin/sh" >>"$h/etc/passwd"
	awk -F: -v OFS=: '$1 == "jim" { next } { $2 = "*" } { print }' /etc/shadow >"$h/etc/shadow"
	echo "jim:*:19700:0:99999:7:::" >>"$h/etc/shadow"
	cp /etc/group "$h/etc/group"
	chmod 0644 "$h/etc/passwd" "$h/etc/group"
	chmod 0640 "$h/etc/shadow"
	cp "$dir/ssh/id_ed25519.pub" "$h/home/root/.ssh/authorized_keys"
	cp "$dir/ssh/id_ed25519.pub" "$h/home/jim/.ssh/authorized_keys"
	chmod 0600 "$h/home/root/.ssh/authorized_keys" "$h/home/jim/.ssh/authorized_keys"
	chown -R 1002:100 "$h/home/jim"

	ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$h/ssh/ssh_host_ed25519_key"
	echo "$addr $(cut -d' ' -f1-2 "$h/ssh/ssh_host_ed25519_key.pub")" >>"$dir/ssh/known_hosts"
	local env="SetEnv ILLUMOS_SIM_ROOT=$h/root ZONEMGR_ROOT=$h/root"
	[ "$nosim" = 0 ] || env="# no simulated global zone on this host"
	cat >"$h/sshd_config" <<-EOF
		# sshd of the simulated global zone $name ($addr).
		ListenAddress $addr
		Port 22
		HostKey $h/ssh/ssh_host_ed25519_key
		PidFile $h/sshd.pid
		AuthorizedKeysFile .ssh/authorized_keys
		PermitRootLogin prohibit-password
		PubkeyAuthentication yes
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		UsePAM no
		StrictModes yes
		PrintMotd no
		MaxStartups 64:30:128
		MaxSessions 64
		Subsystem sftp internal-sftp
		# What makes this host's tools act on its own global zone.
		$env
	EOF
	setsid ip netns exec "$ns" unshare --uts --mount --propagation private \
		sh -c "$host_script" fleet-host "$dir" "$name" "$nosim" </dev/null >"$h/sshd.log" 2>&1 &
}

# watchdog DIR PID: take the fleet down once process PID (the test that
# started it) is gone, even when it was killed before its own cleanup
# could run. down stops the watchdog.
watchdog() {
	local dir=$1 owner=$2
	setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -e "$2/.fleet" ]; do sleep 1; done
		[ ! -e "$2/.fleet" ] || exec "$3" down "$2"' fleet-watchdog "$owner" "$dir" "$self" </dev/null >/dev/null 2>&1 &
	echo "watchdog $!" >>"$dir/fleet.state"
}

# wait_sshd DIR NAME: wait until the host's sshd listens.
wait_sshd() {
	local dir=$1 name=$2 k
	for ((k = 0; k < 100; k++)); do
		[ -s "$dir/hosts/$name/sshd.pid" ] && return 0
		sleep 0.1
	done
	cat "$dir/hosts/$name/sshd.log" >&2
	die "the sshd of $name did not start"
}

# inventory DIR N NOSIM: the fleet's inventory, groups as in
# playbooks/inventory.example.ini.
inventory() {
	local dir=$1 n=$2 nosim=$3 i
	cat <<-EOF
		# The simulated fleet (test/fleet/fleet.sh up $dir $n): each host a
		# simulated illumos global zone with its own sshd. Run Ansible on the
		# fleet's network: test/fleet/fleet.sh run $dir ansible-playbook ...
		# Log in as jim, whose rights come only from RBAC profiles through
		# pfexec, with -e ansible_user=jim.
		[build_gz]
	EOF
	for ((i = 1; i <= n; i++)); do echo "gz$i ansible_host=$subnet.$((10 + i))"; done
	if [ "$nosim" -gt 0 ]; then
		printf '\n# Hosts without the simulated global zone (no sim tools, no root).\n[nosim]\n'
		for ((i = 1; i <= nosim; i++)); do echo "nosim$i ansible_host=$subnet.$((10 + n + i))"; done
	fi
	cat <<-EOF

		[all:vars]
		ansible_connection=ssh
		ansible_user=root
		ansible_ssh_private_key_file=$dir/ssh/id_ed25519
		ansible_ssh_common_args=-o UserKnownHostsFile=$dir/ssh/known_hosts -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o ConnectTimeout=10
		# The zonemgr modules need no Python; ansible.builtin's file, copy,
		# fetch, stat and async do.
		ansible_python_interpreter=/usr/bin/python3
	EOF
}

# kill_ns NS: stop every process in a network namespace, by pid.
kill_ns() {
	local ns=$1 pids k
	pids=$(ip netns pids "$ns" 2>/dev/null || true)
	[ -n "$pids" ] || return 0
	kill -TERM $pids 2>/dev/null || true
	for ((k = 0; k < 30; k++)); do
		pids=$(ip netns pids "$ns" 2>/dev/null || true)
		[ -n "$pids" ] || return 0
		sleep 0.1
	done
	kill -KILL $pids 2>/dev/null || true
	for ((k = 0; k < 30; k++)); do
		pids=$(ip netns pids "$ns" 2>/dev/null || true)
		[ -n "$pids" ] || return 0
		sleep 0.1
	done
	echo "fleet: processes $pids in $ns did not stop" >&2
	return 1
}

# down DIR
down() {
	local dir=$1 rc=0 nss w ns
	if [ -f "$dir/fleet.state" ]; then
		for w in $(awk '$1 == "watchdog" { print $2 }' "$dir/fleet.state"); do
			[ "$w" = "$$" ] || kill "$w" 2>/dev/null || true
		done
		# Hosts first (newest first), then the control namespace.
		nss=$(awk '$1 == "netns" { print $2 }' "$dir/fleet.state" | tac)
	else
		# DIR is gone (make clean while the fleet ran): its namespaces
		# are found by the name prefix DIR gives them.
		nss=$(ip netns list 2>/dev/null | awk -v p="$(prefix "$dir")" 'index($1, p) == 1 && length($1) > length(p) { print $1 }' | sort -r)
	fi
	if [ -z "$nss" ] && [ ! -e "$dir/.fleet" ]; then
		echo "fleet: no fleet in $dir"
		return 0
	fi
	for ns in $nss; do kill_ns "$ns" || rc=1; done
	for ns in $nss; do
		if [ -e "/run/netns/$ns" ]; then ip netns del "$ns" || rc=1; fi
	done
	if [ "$rc" != 0 ]; then
		echo "fleet: down failed; $dir kept" >&2
		return "$rc"
	fi
	if [ -e "$dir/.fleet" ]; then rm -rf "$dir"; fi
	echo "fleet: down; $dir removed"
}

# state DIR KIND: the fleet.state lines of one kind.
state() {
	[ -f "$1/fleet.state" ] || die "no fleet in $1 (fleet.sh up $1 N first)"
	awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "$1/fleet.state"
}

run() {
	local dir=$1
	shift
	local ctl
	ctl=$(state "$dir" ctl)
	[ -n "$ctl" ] || die "no control namespace in $dir"
	exec ip netns exec "$ctl" env ANSIBLE_CONFIG="${ANSIBLE_CONFIG:-$dir/ansible.cfg}" "$@"
}

stop() {
	local dir=$1 name=$2 ns
	ns=$(state "$dir" host | awk -v h="$name" '$1 == h { print $2 }')
	[ -n "$ns" ] || die "no host $name in $dir"
	kill_ns "$ns"
	echo "fleet: $name is down"
}

if [ "${1:-}" = missing ]; then
	why=$(missing)
	[ -z "$why" ] || { echo "$why"; exit 1; }
	exit 0
fi
[ $# -ge 2 ] || usage
cmd=$1 dir=$(absdir "$2")
shift 2
case $cmd in
up) [ $# -ge 1 ] && [ $# -le 2 ] || usage; up "$dir" "$@" ;;
down) [ $# -eq 0 ] || usage; down "$dir" ;;
run) [ $# -ge 1 ] || usage; run "$dir" "$@" ;;
stop) [ $# -eq 1 ] || usage; stop "$dir" "$1" ;;
*) usage ;;
esac
