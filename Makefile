# aza — thin wrapper over CMake, busted, luacheck and LuaRocks.
#   make demo   set up what is missing, build, run the bundled example
#   make test   set up, build, run every test; ends with "N passed, N failed"
BUILD   ?= build
LUA     ?= lua5.4
FUZZ_SECONDS ?= 60

.PHONY: all deps build demo test fuzz bench clean format lint install-check

all: build

deps:
	@sh scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@echo "build: compiling into $(BUILD)/ (log: $(BUILD)/build.log)"
	@cmake --build $(BUILD) -j2 >$(BUILD)/build.log 2>&1 || { cat $(BUILD)/build.log; exit 1; }

demo: build
	@sh scripts/demo.sh

test: build
	@sh scripts/test.sh

fuzz: deps
	@sh scripts/fuzz.sh $(FUZZ_SECONDS)

bench: build
	@$(LUA) bench/evaluate.lua

install-check: build
	@sh scripts/install-check.sh

format:
	@clang-format -i csrc/*/*.c csrc/*/*.h

lint:
	@luacheck --no-color -q .

clean:
	rm -rf $(BUILD) build-* build.luarocks .install
