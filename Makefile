# zonemgr — build, test and demo on the simulated illumos global zone.
#
#   make demo   the main job end to end on a fresh simulated global zone
#   make test   go vet, unit tests and integration tests
#   make build  every binary into bin/
#   make bench  the benchmarks (BENCHMARKS.md); make collection, make selftest,
#   make fuzz: see below

GO       ?= go
BIN      := bin
MODULES  := $(notdir $(wildcard modules/zone_*))
GOFLAGS  ?= -trimpath

.PHONY: all build test vet unit integration ansible selftest bench demo fuzz clean check-tools docs collection collection-linux

all: build

check-tools:
	@command -v $(GO) >/dev/null || { echo "Go 1.26 is required: https://go.dev/dl/ (or apt-get install golang-1.26)"; exit 1; }
	@test -x /bin/busybox || { echo "the simulator needs a static busybox: apt-get install -y --no-install-recommends busybox-static"; exit 1; }

build:
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build $(GOFLAGS) -o $(BIN)/ ./sim/cmd/illumos-sim $(if $(wildcard runner/cmd/zonemgr),./runner/cmd/zonemgr) $(addprefix ./modules/,$(MODULES))

vet:
	$(GO) vet ./...
	@$(GO) mod tidy -diff >/dev/null || { echo "go.mod or go.sum is not tidy: run go mod tidy"; $(GO) mod tidy -diff; exit 1; }

unit:
	$(GO) test -count=1 ./internal/... ./sim/... ./modules/... ./runner/... ./cmd/... ./test/unit/...

# integration: the built binaries against the simulator, on both of its
# flavours (illumos-sim init --flavor: OmniOS, the default, and
# OpenIndiana); the flavour runs are given the two cores one after the
# other.
integration: build
	ZONEMGR_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 20m ./test/integration/... ./test/differential/... ./bench/...
	ILLUMOS_SIM_FLAVOR=openindiana ZONEMGR_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 20m ./test/integration/...

test: check-tools vet unit integration ansible

demo: check-tools build
	@ZONEMGR_BIN=$(CURDIR)/$(BIN) ./test/demo.sh

fuzz:
	./test/fuzz.sh

# bench: the benchmark suite on fresh simulated global zones; writes
# BENCHMARKS.md.
bench: check-tools build
	$(GO) run ./bench -bin $(BIN) -o BENCHMARKS.md

# selftest: zonemgr's core scenarios against the tools on PATH: the
# simulator on Linux, the real zonecfg/zoneadm/zfs on an illumos global zone.
selftest: build
	ZONEMGR_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -v -timeout 60m ./test/selftest/...

# ansible: ansible-playbook, ansible and ansible-doc against the simulator
# (test/ansible builds, packs and installs the Linux collection itself; the
# tests skip when ansible-playbook is not installed).
ansible: build
	ZONEMGR_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 15m ./test/ansible/...

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
