# Streamflow — the two commands are `make demo` and `make test`; both install what is missing.
SWIFT ?= swift
SWIFT_TEST_FLAGS ?=
# librdkafka 2.16 (from the confluent-kafka wheel, linked by scripts/setup-venv.sh) ahead of Debian's 2.0.2 at run time.
export LD_LIBRARY_PATH := $(CURDIR)/.venv/kafka-lib$(if $(LD_LIBRARY_PATH),:$(LD_LIBRARY_PATH))

.PHONY: setup deps venv build release test demo dev-chain bench clean

setup: deps venv

deps:
	@scripts/setup-machine.sh

venv: deps
	@scripts/setup-venv.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product streamflow

test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build $(SWIFT_TEST_FLAGS)

demo: release
	.build/release/streamflow demo

# A local chain with Livepeer's contracts (py-evm) for `streamflow demo --eth-rpc` and the eth commands; Ctrl-C stops it.
# Only the chain's JSON line goes to stdout (`make dev-chain > chain.json`); setup messages go to stderr.
dev-chain:
	@scripts/setup-machine.sh >&2
	@scripts/dev-chain

bench: release
	.build/release/streamflow bench crypto
	.build/release/streamflow bench tickets

clean:
	rm -rf .build .venv
