# zonemgr — build, test and demo on the simulated illumos global zone.
#
#   make demo   the main job end to end on a fresh simulated global zone
#   make test   go vet, unit tests and integration tests
#   make build  every binary into bin/

GO       ?= go
BIN      := bin
MODULES  := $(notdir $(wildcard modules/zone_*))
GOFLAGS  ?= -trimpath

.PHONY: all build test vet unit integration demo fuzz clean check-tools

all: build

check-tools:
	@command -v $(GO) >/dev/null || { echo "Go 1.26 is required: https://go.dev/dl/ (or apt-get install golang-1.26)"; exit 1; }
	@test -x /bin/busybox || { echo "the simulator needs a static busybox: apt-get install -y --no-install-recommends busybox-static"; exit 1; }

build:
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build $(GOFLAGS) -o $(BIN)/ ./sim/cmd/illumos-sim $(if $(wildcard runner/cmd/zonemgr),./runner/cmd/zonemgr) $(addprefix ./modules/,$(MODULES))

vet:
	$(GO) vet ./...

unit:
	$(GO) test -count=1 ./internal/... ./sim/... ./modules/... ./runner/... ./test/unit/...

integration: build
	ZONEMGR_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 20m ./test/integration/...

test: check-tools vet unit integration

demo: check-tools build
	@ZONEMGR_BIN=$(CURDIR)/$(BIN) ./test/demo.sh

fuzz:
	./test/fuzz.sh

clean:
	rm -rf $(BIN)
