-- bin/aza and aza.cli: the `aza units` subcommand run as a process (stdout,
-- stderr, exit status), the dispatcher run in-process with fake subcommands.
local cli = require "aza.cli"
local cli_support = require "spec.support.cli"
local units_cli = require "aza.cli.units"

local quote = cli_support.quote

local ROOT = io.popen("pwd"):read("*l")

-- run a shell command line; returns stdout, stderr, exit status
local sh = cli_support.run

-- run bin/aza (by its absolute path, as an executable) with arguments, each quoted for
-- the shell; returns stdout, stderr, exit status
local function aza(...)
  return cli_support.aza({ ... }, { command = cli_support.LUA .. " " .. quote(ROOT .. "/bin/aza") })
end

-- a file-like sink for cli.main
local function sink()
  local buf = {}
  return {
    write = function(self, ...)
      for _, s in ipairs({ ... }) do
        buf[#buf + 1] = s
      end
      return self
    end,
    text = function() return table.concat(buf) end,
  }
end

describe("bin/aza units", function()
  describe("convert", function()
    it("prints the number alone, shortest round-trip form", function()
      assert.same({ "0.45359237\n", "", 0 }, { aza("units", "convert", "1", "[lb_av]", "kg") })
      assert.same({ "70\n", "", 0 }, { aza("units", "convert", "70", "kg", "kg") })
      assert.same({ "0.1\n", "", 0 }, { aza("units", "convert", "100", "ug", "mg") })
      -- 176 * 0.45359237 is 79.83225712000001 in binary64; conversions round to 15
      -- significant digits (no float noise), so the exact decimal comes out
      assert.same({ "79.83225712\n", "", 0 },
        { aza("units", "convert", "176", "[lb_av]", "kg") })
      assert.same({ "29\n", "", 0 }, { aza("units", "convert", "2.9", "g/dL", "g/L") })
    end)

    it("converts cell counts, concentrations and temperatures", function()
      assert.equal("1\n", (aza("units", "convert", "1", "10*3/uL", "10*9/L")))
      assert.equal("10\n", (aza("units", "convert", "1", "g/dL", "g/L")))
      assert.equal("38\n", (aza("units", "convert", "100.4", "[degF]", "Cel")))
      assert.equal("-40\n", (aza("units", "convert", "-40", "Cel", "[degF]")))
      assert.equal("0.001\n", (aza("units", "convert", "1e-3", "1", "1")))
    end)

    it("needs --substance for mass <-> amount", function()
      local out, err, code = aza("units", "convert", "1", "mg/dL", "umol/L", "--substance",
        "creatinine")
      assert.equal(0, code)
      assert.equal("", err)
      assert.near(1e4 / 113.12, tonumber(out), 1e-9)
      assert.equal(out, (aza("units", "convert", "--substance=creatinine", "1", "mg/dL", "umol/L")))
      out, err, code = aza("units", "convert", "1", "mg/dL", "umol/L")
      assert.same({ "", 2 }, { out, code })
      assert.matches("^aza units: .*named substance.*%(E_SUBSTANCE%)\n$", err)
    end)

    it("reports an unknown unit on stderr with exit status 2", function()
      local out, err, code = aza("units", "convert", "70", "kgs", "g")
      assert.same({ "", 2 }, { out, code })
      assert.equal("aza units: unknown unit 'kgs' at 1 (E_UNIT)\n", err)
    end)

    it("reports mismatched dimensions with exit status 2", function()
      local out, err, code = aza("units", "convert", "1", "mg/kg/d", "/d")
      assert.same({ "", 2 }, { out, code })
      assert.matches("mass/(mass.time) vs 1/time (E_DIM)", err, 1, true)
    end)

    it("rejects a number that is not plain decimal", function()
      for _, bad in ipairs({ "7,5", "0x10", "inf", "nan", "1e999", "", "5 mg" }) do
        local out, err, code = aza("units", "convert", bad, "mg", "g")
        assert.same({ "", 2 }, { out, code }, bad)
        assert.matches("bad number", err, 1, true)
      end
    end)

    it("reports missing arguments and unknown options with exit status 2", function()
      local out, err, code = aza("units", "convert", "1", "mg")
      assert.same({ "", 2 }, { out, code })
      assert.matches("convert needs VALUE FROM TO", err, 1, true)
      out, err, code = aza("units", "convert", "1", "mg", "g", "--fast")
      assert.same({ "", 2 }, { out, code })
      assert.matches("unknown option '--fast'", err, 1, true)
      out, err, code = aza("units", "convert", "1", "mg", "g", "--substance")
      assert.same({ "", 2 }, { out, code })
      assert.matches("--substance needs a NAME", err, 1, true)
    end)
  end)

  describe("check", function()
    it("prints the UCUM form and the dimension", function()
      assert.same({ "mg/kg/d\tmass/(mass.time)\n", "", 0 }, { aza("units", "check", "mg/kg/d") })
      assert.same({ "[lb_av]\tmass\n", "", 0 }, { aza("units", "check", "[lb_av]") })
    end)

    it("says when an alias was mapped", function()
      assert.same({ "10*9/L\t1/volume\t(from alias x10^9/L)\n", "", 0 },
        { aza("units", "check", "x10^9/L") })
    end)

    it("reports a bad unit on stderr with exit status 2", function()
      local out, err, code = aza("units", "check", "mg//kg")
      assert.same({ "", 2 }, { out, code })
      assert.equal("aza units: expected a term after '/' at 4 (E_SYNTAX)\n", err)
      out, err, code = aza("units", "check")
      assert.same({ "", 2 }, { out, code })
      assert.matches("check needs one UNIT", err, 1, true)
    end)
  end)

  describe("list", function()
    it("prints every atom with its name and property", function()
      local out, err, code = aza("units", "list")
      assert.same({ "", 0 }, { err, code })
      assert.truthy(out:find("\ng\tgram\tmass\n", 1, true))
      assert.truthy(out:find("\n[lb_av]\tpound\tmass\n", 1, true))
    end)
  end)

  it("prints its usage for help, and fails on an unknown action", function()
    local out, _, code = aza("units", "help")
    assert.equal(0, code)
    assert.matches("usage: aza units convert VALUE FROM TO", out, 1, true)
    local err
    out, err, code = aza("units", "frobnicate")
    assert.same({ "", 2 }, { out, code })
    assert.matches("unknown action 'frobnicate'", err, 1, true)
  end)
end)

describe("bin/aza", function()
  it("prints the usage with the available commands", function()
    for _, args in ipairs({ { "help" }, {}, { "--help" } }) do
      local out, err, code = aza(require("aza.compat").unpack(args))
      assert.same({ "", 0 }, { err, code })
      assert.matches("usage: aza <command>", out, 1, true)
      assert.matches("\n  units +convert a value between units", out)
    end
  end)

  it("reports an unknown command on stderr with exit status 2", function()
    local out, err, code = aza("frobnicate")
    assert.same({ "", 2 }, { out, code })
    assert.equal("aza: unknown command 'frobnicate' (try 'aza help')\n", err)
    out, err, code = aza("../etc")
    assert.same({ "", 2 }, { out, code })
    assert.matches("invalid command name", err, 1, true)
  end)

  it("prints its version with --version and version", function()
    local core = require "aza.core"
    for _, a in ipairs { "--version", "version" } do
      local out, err, code = aza(a)
      local version = require("aza.compat").version
      assert.same({ "aza " .. core.version .. " (" .. version .. ")\n", "", 0 },
        { out, err, code })
    end
  end)

  it("finds the checkout from another directory and through a symlink", function()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir " .. quote(dir)))
    finally(function() os.execute("rm -rf " .. quote(dir)) end)
    assert(os.execute(("ln -s %s %s"):format(quote(ROOT .. "/bin/aza"), quote(dir .. "/aza"))))
    local out, err, code = sh(("cd / && %s units convert 1 kg g"):format(quote(dir .. "/aza")))
    assert.same({ "1000\n", "", 0 }, { out, err, code })
  end)
end)

describe("aza.cli", function()
  local names = { "zz_ok", "zz_raise", "zz_fail", "zz_code", "zz_norun" }
  before_each(function()
    package.preload["aza.cli.zz_ok"] = function()
      return { summary = "test command", run = function(args, env)
        env.stdout:write("args:", table.concat(args, ","), "\n")
      end }
    end
    package.preload["aza.cli.zz_raise"] = function()
      return { run = function() error("boom", 0) end }
    end
    package.preload["aza.cli.zz_fail"] = function()
      return { run = function() return nil, "bad input here" end }
    end
    package.preload["aza.cli.zz_code"] = function()
      return { run = function() return 3 end }
    end
    package.preload["aza.cli.zz_norun"] = function()
      return {}
    end
  end)
  after_each(function()
    for _, n in ipairs(names) do
      package.preload["aza.cli." .. n] = nil
      package.loaded["aza.cli." .. n] = nil
    end
  end)

  local function main(argv)
    local out, err = sink(), sink()
    local code = cli.main(argv, { stdout = out, stderr = err })
    return out:text(), err:text(), code
  end

  it("runs a subcommand module with the remaining arguments", function()
    assert.same({ "args:a,b\n", "", 0 }, { main({ "zz_ok", "a", "b" }) })
  end)

  it("reads a dash in a command as an underscore", function()
    assert.same({ "args:\n", "", 0 }, { main({ "zz-ok" }) })
  end)

  it("reports a raised error on stderr with exit status 2", function()
    assert.same({ "", "aza zz_raise: boom\n", 2 }, { main({ "zz_raise" }) })
  end)

  it("reports a returned message on stderr with exit status 2", function()
    assert.same({ "", "aza zz_fail: bad input here\n", 2 }, { main({ "zz_fail" }) })
  end)

  it("passes a returned exit code through", function()
    assert.equal(3, select(3, main({ "zz_code" })))
  end)

  it("refuses a module without run", function()
    local _, err, code = main({ "zz_norun" })
    assert.equal(2, code)
    assert.matches("has no run function", err, 1, true)
  end)

  it("lists preloaded and installed commands with their summaries", function()
    local list = cli.commands()
    assert.truthy(table.concat(list, " "):find("units", 1, true))
    assert.truthy(table.concat(list, " "):find("zz_ok", 1, true))
    assert.matches("\n  zz_ok +test command\n", cli.usage())
  end)
end)

describe("aza.cli.units helpers", function()
  it("formats numbers in the shortest form that reads back", function()
    local f = units_cli.format_number
    assert.equal("70", f(70))
    assert.equal("0.1", f(0.1))
    assert.equal("0.45359237", f(0.45359237))
    assert.equal("0.3333333333333333", f(1 / 3))
    assert.equal("1e+21", f(1e21))
    assert.equal("-40", f(-40))
    for _, x in ipairs({ 0.1 + 0.2, 1e-300, 123456789.123, 2 ^ 53 + 2 }) do
      assert.equal(x, tonumber(f(x)))
    end
  end)

  it("reads plain decimal numbers only", function()
    local p = units_cli.parse_number
    assert.equal(-40, p("-40"))
    assert.equal(0.5, p(".5"))
    assert.equal(5, p("5."))
    assert.equal(1e-3, p("1e-3"))
    assert.equal(100, p("+1E2"))
    local bads = { "0x10", "inf", "nan", "1,5", " 1", "1 ", "", ".", "e3", "1e999", "--1" }
    for _, bad in ipairs(bads) do
      assert.is_nil(p(bad), bad)
    end
  end)
end)
