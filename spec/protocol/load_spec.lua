-- Loading protocols: files and ids, extends (inherit, override, disable,
-- replace, add), overrides recorded, content hash, load errors.
local load = require "aza.protocol.load"

local FIXTURES = "spec/fixtures/protocols"
local OPTS = { path = { FIXTURES } }

-- write files into a fresh directory; returns its path
local function tmpdir(files)
  local p = io.popen("mktemp -d")
  local dir = p:read("*l")
  p:close()
  for name, text in pairs(files) do
    local f = assert(io.open(dir .. "/" .. name, "wb"))
    f:write(text)
    f:close()
  end
  return dir
end

local function rmdir(dir)
  os.execute("rm -rf '" .. dir .. "'")
end

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local function ids(p)
  local list = {}
  for i, r in ipairs(p.rules) do
    list[i] = r.id
  end
  return list
end

local function find_override(p, what)
  for _, o in ipairs(p.overrides) do
    if o.what == what then
      return o
    end
  end
end

describe("aza.protocol.load", function()
  describe("load()", function()
    it("loads a protocol file", function()
      local p = assert(load.load(FIXTURES .. "/base.lua"))
      assert.equal("base", p.id)
      assert.equal("2026.1", p.version)
      assert.equal("Fixture base protocol", p.title)
      assert.same({ "tpmt-poor", "wbc-low", "allopurinol" }, ids(p))
      assert.matches("^%x+$", p.hash)
      assert.equal(16, #p.hash)
      assert.same({ FIXTURES .. "/base.lua" }, p.files)
    end)

    it("loads a protocol by id from the search path", function()
      local p = assert(load.load("base", OPTS))
      assert.equal("base", p.id)
      assert.equal(FIXTURES .. "/base.lua", p.file)
    end)

    it("records the file and line of each rule", function()
      local p = assert(load.load("base", OPTS))
      local r = p.rules[2]
      assert.equal(FIXTURES .. "/base.lua", r.file)
      assert.equal(26, r.line) -- the line of rule "wbc-low"
      assert.is_truthy(read(r.file):match("[^\n]*\n", 1):find("Fixture", 1, true))
      local line = 0
      for text in read(r.file):gmatch("([^\n]*)\n") do
        line = line + 1
        if line == r.line then
          assert.is_truthy(text:find('rule "wbc-low"', 1, true), text)
        end
      end
    end)

    it("annotates each rule with its checked AST and the facts it reads", function()
      local p = assert(load.load("base", OPTS))
      local r = p.rules[2]
      assert.equal("cmp", r.ast.tag)
      assert.equal("quantity", r.ast.kind)
      assert.equal("10*9/L", r.ast.unit)
      assert.same({ "wbc" }, r.facts)
      assert.same({ "medications.active", "medications.planned", "vaccines.planned" },
        p.rules[3].facts)
    end)

    it("loads the site-ibd shape of issue 4 (extends, references, rules, disable)", function()
      local text = read(FIXTURES .. "/site-ibd.lua")
      assert.is_truthy(text:find('extends = "ibd"', 1, true))
      assert.is_truthy(text:find('disable = { "ace-inhibitor-caution" }', 1, true))
      local p, msg = load.load(FIXTURES .. "/site-ibd.lua", OPTS)
      assert.is_table(p, msg)
      assert.equal("site-ibd", p.id)
      assert.equal("2026.1", p.version)
      assert.equal("ibd", p.extends)
      assert.equal("Fixture IBD protocol", p.title) -- inherited
      assert.same({ FIXTURES .. "/base.lua", FIXTURES .. "/ibd.lua", FIXTURES .. "/site-ibd.lua" },
        p.files)
      -- inherited rules keep their place; the site's neutrophils-low replaces ibd's in place
      assert.same({ "tpmt-poor", "wbc-low", "allopurinol", "neutrophils-low",
                    "nudt15-intermediate" }, ids(p))
      local r = p.rules[4]
      assert.equal("neutrophils < 1.8 10*9/L", r.when)
      assert.equal("local1", r.cite)
      assert.equal(FIXTURES .. "/site-ibd.lua", r.file)
      assert.equal(10, r.line)
      assert.same({ "ace-inhibitor-caution" }, p.disabled)
      -- references from all three files
      assert.equal("Local neutropenia audit, 2026", p.references.local1)
      assert.is_string(p.references.bsr2017)
      assert.is_string(p.references.bsg2019)
      -- parameters merged key by key
      assert.equal(2.0, p.parameters.dose.mg_per_kg_per_day)
      assert.equal(50, p.parameters.titration.start_mg_per_day)
      assert.same({ { mg = 25 }, { mg = 50, scored = true } }, p.parameters.formulary)
    end)

    it("records the overrides with what, old, new and the file", function()
      local p = assert(load.load(FIXTURES .. "/site-ibd.lua", OPTS))
      local o = find_override(p, "rule neutrophils-low")
      assert.same({ what = "rule neutrophils-low", old = "neutrophils < 2.0 10*9/L",
                    new = "neutrophils < 1.8 10*9/L", by = FIXTURES .. "/site-ibd.lua",
                    line = 10 }, o)
      o = find_override(p, "rule ace-inhibitor-caution")
      assert.equal("enabled", o.old)
      assert.equal("disabled", o.new)
      assert.equal(FIXTURES .. "/site-ibd.lua", o.by)
      assert.equal(12, o.line)
    end)

    it("overrides parameters, data and references key by key", function()
      local dir = tmpdir { ["site.lua"] = [[
return protocol "site" {
  extends = "base",
  version = "1",
  references = { bsr2017 = "BSR 2017, local copy" },
  parameters = {
    dose = { band = { 2.0, 2.2 } },
    formulary = { { mg = 25 } },
  },
  data = { monitoring = { fbc = "1 wk" } },
}
]] }
      local p, msg = load.load(dir .. "/site.lua", OPTS)
      assert.is_table(p, msg)
      assert.same({ 2.0, 2.2 }, p.parameters.dose.band)
      assert.equal(2.0, p.parameters.dose.mg_per_kg_per_day)
      assert.same({ { mg = 25 } }, p.parameters.formulary)   -- a list replaces the list
      assert.equal("1 wk", p.data.monitoring.fbc)
      assert.equal("2 wk", p.data.monitoring.lft)
      local o = find_override(p, "parameters.dose.band")
      assert.same({ 2.0, 2.5 }, o.old)
      assert.same({ 2.0, 2.2 }, o.new)
      assert.equal(dir .. "/site.lua", o.by)
      assert.equal(6, o.line)
      assert.same({ { mg = 25 }, { mg = 50, scored = true } },
                  find_override(p, "parameters.formulary").old)
      assert.equal("2 wk", find_override(p, "data.monitoring.fbc").old)
      assert.equal("BSR 2017, local copy", find_override(p, "references.bsr2017").new)
      assert.is_nil(find_override(p, "parameters.dose.mg_per_kg_per_day"))
      rmdir(dir)
    end)

    it("replaces a rule by id under replace = { … }", function()
      local dir = tmpdir { ["site.lua"] = [[
return protocol "site" {
  extends = "base",
  version = "1",
  replace = {
    rule "wbc-low" { when = "wbc < 3.0 10*9/L", action = withhold, cite = "bsr2017" },
  },
  rules = {
    rule "site-extra" { when = "platelets < 100 10*9/L", action = withhold, cite = "bsr2017" },
  },
}
]] }
      local p, msg = load.load(dir .. "/site.lua", OPTS)
      assert.is_table(p, msg)
      assert.same({ "tpmt-poor", "wbc-low", "allopurinol", "site-extra" }, ids(p))
      assert.equal("wbc < 3.0 10*9/L", p.rules[2].when)
      local o = find_override(p, "rule wbc-low")
      assert.equal("wbc < 3.5 10*9/L", o.old)
      assert.is_true(o.explicit)
      rmdir(dir)
    end)

    it("resolves extends as a path relative to the extending file", function()
      local dir = tmpdir {
        ["parent.lua"] = 'return protocol "parent" { version = "1", references = { k = "K" } }',
        ["child.lua"] = 'return protocol "child" { extends = "./parent.lua", version = "2" }',
      }
      local p, msg = load.load(dir .. "/child.lua")
      assert.is_table(p, msg)
      assert.equal("parent", p.extends)
      assert.equal("K", p.references.k)
      rmdir(dir)
    end)

    it("inherits required facts and records a change", function()
      local dir = tmpdir {
        ["a.lua"] = 'return protocol "a" { version = "1", required = { "weight" } }',
        ["b.lua"] = 'return protocol "b" { extends = "a", version = "1" }',
        ["c.lua"] = 'return protocol "c" { extends = "a", version = "1",\n'
          .. '  required = { "weight", "tpmt.phenotype" } }',
      }
      local b = assert(load.load("b", { path = { dir } }))
      assert.same({ "weight" }, b.required)
      local c = assert(load.load("c", { path = { dir } }))
      assert.same({ "weight", "tpmt.phenotype" }, c.required)
      assert.equal(2, find_override(c, "required").line)
      rmdir(dir)
    end)
  end)

  describe("hash", function()
    it("is FNV-1a 64", function()
      assert.equal("cbf29ce484222325", load.fnv1a64(""))
      assert.equal("af63dc4c8601ec8c", load.fnv1a64("a"))
      assert.equal("85944171f73967e8", load.fnv1a64("foobar"))
      assert.equal(load.fnv1a64("1\na"), load.hash { "a" })
      assert.equal(load.fnv1a64(""), load.hash {})
    end)

    it("covers the files in extends order, root first", function()
      local p = assert(load.load(FIXTURES .. "/site-ibd.lua", OPTS))
      assert.equal(load.hash { read(FIXTURES .. "/base.lua"), read(FIXTURES .. "/ibd.lua"),
                               read(FIXTURES .. "/site-ibd.lua") }, p.hash)
      assert.equal(p.hash, assert(load.load(FIXTURES .. "/site-ibd.lua", OPTS)).hash)
    end)

    it("changes when a parent changes", function()
      local dir = tmpdir {
        ["ibd.lua"] = read(FIXTURES .. "/ibd.lua"),
        ["site-ibd.lua"] = read(FIXTURES .. "/site-ibd.lua"),
      }
      local before = assert(load.load(dir .. "/site-ibd.lua", { path = { dir, FIXTURES } })).hash
      local f = assert(io.open(dir .. "/ibd.lua", "ab"))
      f:write("-- a comment\n")
      f:close()
      local after = assert(load.load(dir .. "/site-ibd.lua", { path = { dir, FIXTURES } })).hash
      assert.not_equal(before, after)
      rmdir(dir)
    end)
  end)

  describe("errors", function()
    it("names a missing file or id (E_NOTFOUND)", function()
      assert.fails_with("E_NOTFOUND", "no protocol file 'nowhere/x.lua'",
        load.load("nowhere/x.lua"))
      assert.fails_with("E_NOTFOUND", "no protocol 'nope' in the search path (" .. FIXTURES .. ")",
        load.load("nope", OPTS))
    end)

    it("names the line of a missing parent", function()
      assert.fails_with("E_PROTOCOL",
        FIXTURES .. "/broken/missing-parent.lua:5: extends: no protocol 'no-such-protocol'",
        load.load(FIXTURES .. "/broken/missing-parent.lua", OPTS))
    end)

    it("reports an extends cycle", function()
      local dir = tmpdir {
        ["a.lua"] = 'return protocol "a" { extends = "b", version = "1" }',
        ["b.lua"] = 'return protocol "b" { extends = "a", version = "1" }',
      }
      assert.fails_with("E_PROTOCOL", "extends cycle: " .. dir .. "/a.lua -> " .. dir
        .. "/b.lua -> " .. dir .. "/a.lua", load.load("a", { path = { dir } }))
      rmdir(dir)
    end)

    it("reports a disabled rule that does not exist, with a suggestion", function()
      local dir = tmpdir { ["site.lua"] = [[
return protocol "site" {
  extends = "ibd",
  version = "1",
  disable = {
    "ace-inhibitor-cautoin",
  },
}
]] }
      assert.fails_with("E_PROTOCOL", dir .. "/site.lua:5: disable: protocol 'ibd' has no rule "
        .. "'ace-inhibitor-cautoin'; did you mean 'ace-inhibitor-caution'?",
        load.load(dir .. "/site.lua", OPTS))
      rmdir(dir)
    end)

    it("reports a replaced rule that does not exist", function()
      local dir = tmpdir { ["site.lua"] = [[
return protocol "site" {
  extends = "base",
  version = "1",
  replace = { rule "nope" { when = "true", action = withhold, cite = "bsr2017" } },
}
]] }
      assert.fails_with("E_PROTOCOL", dir .. "/site.lua:4: replace: protocol 'base' has no rule "
        .. "'nope' to replace", load.load(dir .. "/site.lua", OPTS))
      rmdir(dir)
    end)

    it("extends only a protocol id or a .lua file inside the extending file's folder", function()
      -- file disclosure: nothing outside the folder is read, nothing of a non-protocol quoted
      local dir = tmpdir { ["app.env"] = "SECRET=hunter2\n", ["app.lua"] = "SECRET=hunter2\n" }
      local function site(target)
        local f = assert(io.open(dir .. "/site.lua", "wb"))
        f:write('return protocol "s" {\n  version = "1",\n  extends = "' .. target .. '",\n}\n')
        f:close()
        return load.load(dir .. "/site.lua", OPTS)
      end
      for target, why in pairs {
        ["/etc/passwd"] = "is an absolute path", ["/proc/self/environ"] = "is an absolute path",
        ["/dev/zero"] = "is an absolute path", ["./app.env"] = "is not a .lua file",
        ["../site.lua"] = "leaves the folder of the extending file",
        ["a/../../x.lua"] = "leaves the folder of the extending file",
      } do
        local p, msg, code = site(target)
        assert.is_nil(p)
        assert.equal("E_PROTOCOL", code)
        assert.is_truthy(msg:find(dir .. "/site.lua:3: extends: '" .. target .. "' " .. why, 1,
          true), msg)
      end
      local p, msg, code = site("app.lua")
      assert.is_nil(p)
      assert.equal("E_PROTOCOL", code)
      assert.equal(dir .. "/app.lua: not a protocol script (no protocol \"id\" { … } in it); "
        .. "extends must name a protocol", msg)
      assert.is_nil(msg:find("hunter2", 1, true))
      rmdir(dir)
    end)

    it("never quotes a file that is not a protocol script (/etc/passwd, an .env file)",
      function()
      local dir = tmpdir { ["app.env"] = "SECRET=hunter2\nAPI_KEY=abc123\n",
                           ["passwd"] = "root:x:0:0:root:/root:/bin/bash\n" }
      for _, name in ipairs { "app.env", "passwd" } do
        local p, msg, code = load.load(dir .. "/" .. name)
        assert.is_nil(p)
        assert.equal("E_PROTOCOL", code)
        assert.equal(dir .. "/" .. name .. ': not a protocol script (no protocol "id" { … } in it)',
          msg)
      end
      rmdir(dir)
    end)

    it("reads only a regular file of at most MAX_BYTES bytes", function()
      local dir = tmpdir { ["big.lua"] = "-- " .. string.rep("x", load.MAX_BYTES) .. "\n" }
      assert.fails_with("E_NOTFOUND", "is larger than 1048576 bytes", load.load(dir .. "/big.lua"))
      assert.fails_with("E_NOTFOUND", "is larger than 1048576 bytes", load.load("/dev/zero"))
      os.execute("mkdir '" .. dir .. "/d.lua'")
      assert.fails_with("E_NOTFOUND", dir .. "/d.lua is a directory", load.load(dir .. "/d.lua"))
      rmdir(dir)
    end)

    it("reports disable and replace without extends", function()
      local dir = tmpdir { ["p.lua"] = 'return protocol "p" {\n  version = "1",\n'
        .. '  disable = { "x" },\n}' }
      assert.fails_with("E_PROTOCOL", dir .. "/p.lua:3: protocol 'p': disable needs extends",
        load.load(dir .. "/p.lua"))
      rmdir(dir)
    end)

    it("reports unknown and mistyped protocol fields", function()
      local dir = tmpdir { ["p.lua"] = [[
return protocol "p" {
  version = 2026,
  rule = {},
}
]] }
      local _, msg = load.load(dir .. "/p.lua")
      assert.is_truthy(msg:find(dir .. "/p.lua:3: protocol 'p': unknown field 'rule'; did you "
        .. "mean 'rules'?", 1, true), msg)
      assert.is_truthy(msg:find(dir .. "/p.lua:2: protocol 'p': version must be a string "
        .. '(version = "2026.1"), got number', 1, true), msg)
      rmdir(dir)
    end)

    it("requires the script to return protocol \"id\" { … }", function()
      local dir = tmpdir { ["p.lua"] = "return { id = 'p' }" }
      assert.fails_with("E_PROTOCOL", "the script must return protocol \"id\" { … } (it returned "
        .. "a table)", load.load(dir .. "/p.lua"))
      rmdir(dir)
    end)

    it("passes on sandbox errors with file and line", function()
      local dir = tmpdir { ["p.lua"] = 'local x = 1\nreturn protocol "p" { version = os.date() }' }
      assert.fails_with("E_SCRIPT", dir .. "/p.lua:2: 'os' is not available in protocols",
        load.load(dir .. "/p.lua"))
      rmdir(dir)
      dir = tmpdir { ["p.lua"] = 'return protocol "p" {\n  version = "1",\n  rules = {\n'
        .. '    rule "x" { when = "true", action = withold, cite = "k" } } }' }
      assert.fails_with("E_SCRIPT", dir .. "/p.lua:4: unknown name 'withold'; did you mean "
        .. "'withhold'?", load.load(dir .. "/p.lua"))
      rmdir(dir)
    end)

    it("reports DSL misuse at the script's line", function()
      local cases = {
        { "return protocol(42) { version = '1' }", 1, "protocol needs an id string without "
          .. "spaces or control bytes, of at most 128 bytes, as in protocol \"ibd\" { … } "
          .. "(got number)" },
        { "local r = rule 'a b'\nreturn r", 1, "rule needs an id string without spaces" },
        { "\nlocal a = reduce(5)", 2, "reduce needs one table argument: reduce{ … }" },
        { "\n\nlocal c = counsel(1)", 3, "counsel needs a string: counsel \"text\"" },
        { "return protocol 'p' (5)", 1, "protocol \"p\" needs a table" },
      }
      for _, case in ipairs(cases) do
        local dir = tmpdir { ["p.lua"] = case[1] }
        assert.fails_with("E_SCRIPT", dir .. "/p.lua:" .. case[2] .. ": " .. case[3],
          load.load(dir .. "/p.lua"))
        rmdir(dir)
      end
    end)

    it("applies the sandbox limits to each file", function()
      local dir = tmpdir { ["p.lua"] = 'while true do end return protocol "p" { version = "1" }' }
      assert.fails_with("E_LIMIT", dir .. "/p.lua:1: instruction budget",
        load.load(dir .. "/p.lua", { budget = 100000 }))
      rmdir(dir)
    end)
  end)

  describe("default_path()", function()
    it("lists the installed aza/rules and the checkout's rules", function()
      local path = load.default_path()
      assert.equal(2, #path)
      assert.matches("aza/rules$", path[1])
      assert.matches("rules$", path[2])
    end)
  end)
end)
