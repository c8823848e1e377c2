# zonemgr — build, test and demo on the simulated illumos global zone.
#
#   make demo   the main job end to end on a fresh simulated global zone
#   make test   go vet, unit tests and every end-to-end suite, then a summary
#               of which suites passed, failed or were skipped, and why
#   make build  every binary into bin/
#   make bench  the benchmarks (BENCHMARKS.md); make collection, make selftest,
#   make fuzz, make fresh-test: see below
#
# make demo and make test first install the Debian packages they need
# (.ci/deps: as root; otherwise they say which command to run); DEPS=no
# leaves that out.

GO       ?= go
BIN      := bin
MODULES  := $(notdir $(wildcard modules/zone_*))
GOFLAGS  ?= -trimpath
DEPS     ?= yes

# Go unpacked into /usr/local/go serves when go is not on PATH.
ifeq ($(shell command -v $(GO)),)
ifneq ($(wildcard /usr/local/go/bin/go),)
export PATH := /usr/local/go/bin:$(PATH)
endif
endif

.PHONY: all build test vet unit integration integration-omnios integration-openindiana differential ansible playdiff selftest bench demo fuzz clean check-go check-tools deps-demo deps-test fresh-test docs collection collection-linux fleet fleet-down fleet-test

all: build

# check-go: one line, and a stop, when Go is missing or older than go.mod
# asks (.ci/deps go).
check-go:
	@GO=$(GO) .ci/deps go

# deps-demo, deps-test: the Debian packages (.ci/deps, one list for make
# and .ci/run).
deps-demo deps-test:
	@$(if $(filter no,$(DEPS)),true,.ci/deps $(@:deps-%=%))

check-tools: check-go deps-demo

build: check-go
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build $(GOFLAGS) -o $(BIN)/ ./sim/cmd/illumos-sim $(if $(wildcard runner/cmd/zonemgr),./runner/cmd/zonemgr) $(addprefix ./modules/,$(MODULES))

# The suites of make test. Each runs its command through .ci/suite run
# NAME, which records whether it passed and what it skipped, and why (Go
# tests skip through simh.Skip, scripts through .ci/suite skip; see
# test/internal/simh). A new suite: a target below whose recipe is
# $(SUITE) NAME COMMAND, and its NAME in SUITES.
SUITES := vet unit integration-omnios integration-openindiana differential ansible \
	playdiff fleet-test
SUITE_DIR ?= $(CURDIR)/$(BIN)/suites
SUITE := ZONEMGR_SUITE_DIR=$(SUITE_DIR) .ci/suite run

# TEST_TMPDIR: the TMPDIR of the suites, where their simulated global
# zones live. Every sim command rewrites the sim's state and zone trees,
# thousands of small files per test, and on ext4 the kernel's journal and
# inode allocation cost more than the commands themselves: a tmpfs halves
# the integration suites (measured: integration-omnios 277 s on ext4,
# 136 s on /dev/shm). /dev/shm when it is a writable tmpfs with at least
# 2 GiB free that programs run from (.ci/tmpdir; an integration suite
# peaks at about 0.5 GiB), else the system's default; TEST_TMPDIR= keeps
# the default. It is looked for only when a suite's recipe runs. The
# differential suite keeps the default: zfs-fuse's pool file is not for
# a tmpfs.
TEST_TMPDIR ?= $(shell .ci/tmpdir)
TESTENV = $(if $(TEST_TMPDIR),TMPDIR=$(TEST_TMPDIR))
# BINENV: the built binaries, for the demo and selftest (which keep the
# system's TMPDIR) and every suite; E2E: the suites' environment.
BINENV := ZONEMGR_BIN=$(CURDIR)/$(BIN)
E2E = $(BINENV) $(TESTENV)

# test: every suite, even after one failed, then the summary; with
# CI=true a suite that skipped anything fails the run, unless it is named
# in CI_MAY_SKIP.
test: check-go deps-test
	@ZONEMGR_SUITE_DIR=$(SUITE_DIR) .ci/suite reset
	@status=0; $(MAKE) --no-print-directory -k $(SUITES) || status=$$?; \
	ZONEMGR_SUITE_DIR=$(SUITE_DIR) .ci/suite summary $(SUITES) || status=1; \
	exit $$status

vet: check-go
	$(SUITE) vet sh -c '$(GO) vet ./... && { $(GO) mod tidy -diff >/dev/null || { echo "go.mod or go.sum is not tidy: run go mod tidy"; $(GO) mod tidy -diff; exit 1; }; }'

unit: check-go
	$(SUITE) unit env $(TESTENV) $(GO) test -count=1 ./internal/... ./sim/... ./modules/... ./runner/... ./cmd/... ./test/unit/...

# integration: the built binaries against the simulator, on both of its
# flavours (illumos-sim init --flavor: OmniOS, the default, and
# OpenIndiana; the flavour runs are given the two cores one after the
# other), and the differential test of the simulator's zfs.
integration: integration-omnios integration-openindiana differential

integration-omnios: build
	$(SUITE) $@ env $(E2E) $(GO) test -count=1 -timeout 20m ./test/integration/... ./bench/...

integration-openindiana: build
	$(SUITE) $@ env ILLUMOS_SIM_FLAVOR=openindiana $(E2E) $(GO) test -count=1 -timeout 20m ./test/integration/...

# differential: the simulator's zfs against Debian's zfs-fuse (real ZFS in
# user space; needs root and /dev/fuse).
differential: build
	$(SUITE) $@ env $(BINENV) $(GO) test -count=1 -timeout 10m ./test/differential/...

# playdiff: the same playbooks under ansible-playbook and zonemgr play on
# fresh simulators, compared (test/playdiff); its note in the summary says
# how many were identical, refused at load and different.
playdiff: build
	$(SUITE) $@ env $(E2E) $(GO) test -count=1 -timeout 20m ./test/playdiff/...

# fleet-test: the collection over real SSH on a simulated fleet of global
# zones (test/fleet; needs root, network namespaces and sshd).
fleet-test: build
	$(SUITE) $@ env $(E2E) $(GO) test -count=1 -timeout 10m ./test/fleet/...

# fleet: N simulated global zones (default 3), each in a network namespace
# of its own with its own sshd, for Ansible over SSH; inventory
# $(DIST)/fleet/inventory.ini. fleet-down stops and removes it.
fleet: check-go build
	./test/fleet/fleet.sh up $(DIST)/fleet $(or $(N),3)

fleet-down:
	./test/fleet/fleet.sh down $(DIST)/fleet

demo: check-go deps-demo build
	@$(BINENV) ./test/demo.sh

fuzz:
	./test/fuzz.sh

# bench: the benchmark suite on fresh simulated global zones; writes
# BENCHMARKS.md.
bench: check-tools build
	$(GO) run ./bench -bin $(BIN) -o BENCHMARKS.md

# selftest: zonemgr's core scenarios against the tools on PATH: the
# simulator on Linux, the real zonecfg/zoneadm/zfs on an illumos global zone.
selftest: build
	$(BINENV) $(GO) test -count=1 -v -timeout 60m ./test/selftest/...

# ansible: ansible-playbook, ansible and ansible-doc against the simulator
# (test/ansible builds, packs and installs the Linux collection itself; the
# tests skip when ansible-playbook is not installed).
ansible: build
	$(SUITE) $@ env $(E2E) $(GO) test -count=1 -timeout 15m ./test/ansible/...

# fresh-test: the README's two commands, make demo and make test, on a
# copy of this work tree's files (tracked and new, as a clone of them
# would have) inside a fresh Debian 12 made with debootstrap, as root,
# with this machine's Go in /usr/local/go and not on PATH (FRESH_RUN=ci:
# .ci/run with CI=true instead). About ten minutes: not part of make test.
fresh-test:
	.ci/fresh

# The Ansible collection: collection/ (galaxy.yml, meta/runtime.yml, README,
# the sidecar docs that cmd/gendoc generates from the modules' specs) with
# one module binary per module in plugins/modules.
DIST := dist

# collection-tree DIR GOOS GOARCH: lay out DIR/ansible_collections/illumos/zonemgr
# with stripped module binaries for GOOS/GOARCH.
define collection-tree
	rm -rf $(1)
	mkdir -p $(1)/ansible_collections/illumos
	cp -R collection $(1)/ansible_collections/illumos/zonemgr
	CGO_ENABLED=0 GOOS=$(2) GOARCH=$(3) $(GO) build -trimpath -ldflags='-s -w' -o $(1)/ansible_collections/illumos/zonemgr/plugins/modules/ $(addprefix ./modules/,$(MODULES))
endef

# docs: the sidecar documentation, plugins/modules/<module>.yml, from the specs.
docs:
	$(GO) run ./cmd/gendoc

# collection: the illumos/amd64 release tree and, where Ansible is installed,
# its tarball dist/illumos-zonemgr-<version>.tar.gz.
collection: docs
	$(call collection-tree,$(DIST)/collection,illumos,amd64)
	@ls -l $(DIST)/collection/ansible_collections/illumos/zonemgr/plugins/modules
	@if command -v ansible-galaxy >/dev/null; then \
		ansible-galaxy collection build --force --output-path $(DIST) $(DIST)/collection/ansible_collections/illumos/zonemgr; \
	else \
		echo "ansible-galaxy is not installed: the collection tree is in $(DIST)/collection; no tarball built"; \
	fi

# collection-linux: the same tree with Linux binaries, for runs against the
# simulator (ANSIBLE_COLLECTIONS_PATH=dist/collection-linux).
collection-linux: docs
	$(call collection-tree,$(DIST)/collection-linux,linux,amd64)

clean:
	rm -rf $(BIN) $(DIST)
