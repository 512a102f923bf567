# aza — thin wrapper over CMake, busted, luacheck and LuaRocks.
#   make demo   set up what is missing, build, run the bundled example
#   make test   set up, build, run every test; ends with "N passed, N failed"
# LUA picks the interpreter: lua5.4 (default), lua5.3, lua5.1 or luajit.
# Its build goes to build/ for 5.4 and build-$(LUA)/ for the others.
LUA     ?= lua5.4
ifeq ($(LUA),lua5.4)
BUILD   ?= build
else
BUILD   ?= build-$(LUA)
endif
export LUA BUILD
FUZZ_SECONDS ?= 60

.PHONY: all deps build demo test fuzz bench clean format lint install-check

all: build

deps:
	@sh scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DAZA_LUA=$(LUA) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@echo "build: compiling into $(BUILD)/ (log: $(BUILD)/build.log)"
	@cmake --build $(BUILD) -j2 >$(BUILD)/build.log 2>&1 || { cat $(BUILD)/build.log; exit 1; }

demo: build
	@sh scripts/demo.sh

# make test: the 5.4 run, then the other interpreters (the matrix);
# make test LUA=X: everything under X only
test: build
	@AZA_MATRIX=$(if $(filter command line,$(origin LUA)),,1) sh scripts/test.sh

fuzz: deps
	@sh scripts/fuzz.sh $(FUZZ_SECONDS)

bench: build
	@$(LUA) bench/run.lua

install-check: build
	@LUA=$(LUA) sh scripts/install-check.sh

format:
	@clang-format -i csrc/*/*.c csrc/*/*.h bench/*.c

lint:
	@luacheck --no-color -q .

clean:
	rm -rf build build-* build.luarocks .install
