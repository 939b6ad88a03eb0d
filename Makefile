# soloist — make help lists the targets.
GO       ?= go
BIN      ?= soloist
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)

.PHONY: help demo build test test-go vet fmt bench golden fuzz clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

demo: build ## install what is missing, build, and run the embedded demo (no node needed)
	./$(BIN) --demo

build: ## build ./soloist (installs the libusb headers if missing)
	scripts/deps.sh run
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .

test: ## install what the tests need, then vet, gofmt and run every test under -race
	scripts/deps.sh test
	$(MAKE) test-go

test-go: vet ## the tests alone (deps already installed)
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }
	CGO_ENABLED=0 $(GO) build ./...
	CGO_ENABLED=0 $(GO) test -count=1 -run 'Devices|Manager|Freq|Explain' ./usbasic/ .
	$(GO) test -race -count=1 -timeout 20m ./...
	miner/sha256d/test-kernels.sh

vet: ## go vet
	$(GO) vet ./...

fmt: ## gofmt the tree
	gofmt -w .

bench: build ## CPU kernel MH/s per core beside the openssl-implied single-stream rate
	scripts/bench.sh

golden: ## rewrite the TUI golden files
	$(GO) test ./tui/ -update

fuzz: ## run every fuzz test for FUZZTIME each (default 10s)
	scripts/fuzz.sh $(or $(FUZZTIME),10s)

clean: ## remove the binary
	rm -f $(BIN)
