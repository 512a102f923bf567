-- aza.input.pgx: diplotype -> phenotype for every allele pair of the CPIC and DPWG
-- tables, checked against expectation functions written here from the clinical
-- reference (§1.2) independently of the pair tables in rules/data/, plus hand-picked
-- cases from the reference and TPMT activity bands (St Thomas', design §8).
local pgx = require "aza.input.pgx"

-- {=== independent expectations (clinical reference §1.2) ===

-- CPIC: counts of allele classes decide.
--   normal + normal -> normal; normal + no function -> intermediate;
--   no function + no function -> poor; no function + uncertain/unknown -> possible IM;
--   normal + uncertain/unknown and uncertain/unknown pairs -> indeterminate.
local function expect_cpic(f1, f2)
  local nf, norm, unc = 0, 0, 0
  for _, f in ipairs({ f1, f2 }) do
    if f == "no_function" then
      nf = nf + 1
    elseif f == "normal" then
      norm = norm + 1
    elseif f == "uncertain" or f == "unknown" then
      unc = unc + 1
    else
      error("unexpected CPIC function " .. tostring(f))
    end
  end
  if norm == 2 then
    return "normal"
  elseif nf == 2 then
    return "poor"
  elseif nf == 1 and norm == 1 then
    return "intermediate"
  elseif nf == 1 and unc == 1 then
    return "possible_intermediate"
  end
  return "indeterminate"
end

-- DPWG (2025-09-25): any reduced allele (decreased, no function) counts.
--   no reduced -> normal; one reduced with a normal -> intermediate; two -> poor.
-- With an allele whose function came from CPIC's table (the fallback: uncertain) or from
-- no table (unknown), CPIC's rules apply: one reduced allele with it -> possible IM (for
-- decreased by analogy, an aza default); otherwise indeterminate.
local function expect_dpwg(f1, f2)
  local reduced, unc = 0, 0
  for _, f in ipairs({ f1, f2 }) do
    if f == "decreased" or f == "no_function" then
      reduced = reduced + 1
    elseif f == "uncertain" or f == "unknown" then
      unc = unc + 1
    elseif f ~= "normal" then
      error("unexpected DPWG function " .. tostring(f))
    end
  end
  if unc > 0 then
    return (reduced == 1) and "possible_intermediate" or "indeterminate"
  end
  return ({ [0] = "normal", [1] = "intermediate", [2] = "poor" })[reduced]
end

-- The allele lists of the clinical reference §1.1, typed in again here so that the data
-- files are checked against the reference rather than against themselves.
local function range(from, to, out)
  out = out or {}
  for i = from, to do
    out[#out + 1] = "*" .. i
  end
  return out
end

local REF = {
  cpic = {
    TPMT = {
      no_function = { "*2", "*3A", "*3B", "*3C", "*4", "*11", "*14", "*15", "*23", "*29", "*41" },
      uncertain = (function()
        local t = range(5, 10)
        for _, a in ipairs({ "*12", "*13" }) do t[#t + 1] = a end
        range(16, 22, t)
        range(24, 28, t)
        range(31, 34, t)
        for _, a in ipairs({ "*37", "*39", "*40" }) do t[#t + 1] = a end
        return t
      end)(),
      unknown = { "*30", "*35", "*36", "*38" },
      normal = { "*1" },
    },
    NUDT15 = {
      no_function = { "*2", "*3", "*9" },
      uncertain = { "*4", "*5", "*6", "*7", "*8" },
      normal = { "*1" },
    },
  },
  dpwg = {
    TPMT = {
      normal = { "*1" },
      -- DPWG 2025-09-25 (PharmCAT): no *3D any more
      no_function = (function()
        local t = { "*2", "*3A", "*3B", "*3C", "*4" }
        return range(5, 18, t)
      end)(),
    },
    NUDT15 = {
      normal = { "*1" },
      no_function = { "*2", "*3" },
      decreased = { "*4", "*5", "*6", "*7", "*8", "*9" },
    },
  },
}

-- allele -> function of a profile in REF
local function functions_of(profile, gene)
  local out = {}
  for fn, list in pairs(REF[profile][gene]) do
    for _, allele in ipairs(list) do
      out[allele] = fn
    end
  end
  return out
end

-- well-formed alleles that no table lists (unknown function), per gene
local UNLISTED = { TPMT = { "*42", "*99" }, NUDT15 = { "*10", "*11", "*99" } }

-- }===

describe("aza.input.pgx", function()
  describe("allele-function tables", function()
    for _, profile in ipairs({ "cpic", "dpwg" }) do
      for _, gene in ipairs({ "TPMT", "NUDT15" }) do
        it(profile .. " " .. gene .. " lists exactly the reference's alleles", function()
          local expected = {}
          for fn, list in pairs(REF[profile][gene]) do
            for _, allele in ipairs(list) do
              expected[allele] = fn
            end
          end
          local listed = {}
          for _, allele in ipairs(pgx.alleles(gene, profile)) do
            listed[allele] = pgx.allele_function(gene, allele, profile)
          end
          assert.same(expected, listed)
        end)
      end
    end

    it("has no decreased-function allele in CPIC (reference §1.1)", function()
      for _, gene in ipairs({ "TPMT", "NUDT15" }) do
        for _, allele in ipairs(pgx.alleles(gene, "cpic")) do
          assert.not_equal("decreased", pgx.allele_function(gene, allele, "cpic"))
        end
      end
    end)
  end)

  describe("phenotype() for every pair of alleles", function()
    local expect = { cpic = expect_cpic, dpwg = expect_dpwg }
    for _, profile in ipairs({ "cpic", "dpwg" }) do
      for _, gene in ipairs({ "TPMT", "NUDT15" }) do
        it(profile .. " " .. gene .. ": every ordered pair matches the expectation", function()
          local alleles = pgx.alleles(gene, profile)
          local n = 0
          for _, a in ipairs(alleles) do
            for _, b in ipairs(alleles) do
              local want = expect[profile](pgx.allele_function(gene, a, profile),
                pgx.allele_function(gene, b, profile))
              local got, info = pgx.phenotype(gene, a .. "/" .. b, profile)
              if got ~= want then
                error(("%s %s %s/%s: got %s, expected %s"):format(profile, gene, a, b,
                  tostring(got), want))
              end
              assert.same({ a, b }, info.alleles)
              n = n + 1
            end
          end
          assert.equal(#alleles * #alleles, n)
        end)
      end
    end
  end)

  describe("phenotype() with alleles a profile does not list", function()
    -- CPIC: every table allele and the unlisted ones (unknown function); DPWG: every DPWG
    -- allele, every CPIC allele (CPIC's function, the fallback) and the unlisted ones
    local expect = { cpic = expect_cpic, dpwg = expect_dpwg }
    for _, profile in ipairs({ "cpic", "dpwg" }) do
      for _, gene in ipairs({ "TPMT", "NUDT15" }) do
        it(profile .. " " .. gene .. ": every pair with a fallback or unlisted allele", function()
          local own, cpic = functions_of(profile, gene), functions_of("cpic", gene)
          local fn, names = {}, {}
          local function add(allele, f)
            if fn[allele] == nil then
              fn[allele] = f
              names[#names + 1] = allele
            end
          end
          for allele, f in pairs(own) do add(allele, f) end
          for allele, f in pairs(cpic) do add(allele, f) end
          for _, allele in ipairs(UNLISTED[gene]) do add(allele, "unknown") end
          table.sort(names)
          local n, extra = 0, 0
          for _, a in ipairs(names) do
            for _, b in ipairs(names) do
              local want = expect[profile](fn[a], fn[b])
              local got, info = pgx.phenotype(gene, a .. "/" .. b, profile)
              if got ~= want then
                error(("%s %s %s/%s: got %s, expected %s"):format(profile, gene, a, b,
                  tostring(got), want))
              end
              assert.same({ fn[a], fn[b] }, info.functions)
              if not (own[a] and own[b]) then
                extra = extra + 1
                assert.is_true(#info.notes > 0, a .. "/" .. b .. " has no note")
              end
              n = n + 1
            end
          end
          assert.equal(#names * #names, n)
          assert.is_true(extra > 0)
        end)
      end
    end

    -- the audit's cases (clinical reference §1.2: no function + unknown -> possible IM;
    -- normal + unknown and unknown pairs -> indeterminate)
    local cases = {
      { "NUDT15", "*2/*10", "possible_intermediate" },
      { "NUDT15", "*10/*2", "possible_intermediate" },
      { "NUDT15", "*1/*10", "indeterminate" },
      { "NUDT15", "*10/*11", "indeterminate" },
      { "NUDT15", "*5/*10", "indeterminate" },
      { "TPMT", "*3A/*42", "possible_intermediate" },
      { "TPMT", "*1/*42", "indeterminate" },
    }
    for _, c in ipairs(cases) do
      it(("CPIC %s %s is %s (unlisted allele = unknown function)"):format(c[1], c[2], c[3]),
        function()
          local ph, info = pgx.phenotype(c[1], c[2])
          assert.equal(c[3], ph)
          local unlisted = c[2]:match("(%*1[01])") or c[2]:match("(%*42)")
          assert.matches(("%s %s is not in the CPIC allele%%-function table: counted as an "
            .. "allele of unknown function"):format(c[1], unlisted:gsub("%*", "%%*")),
            info.notes[1])
        end)
    end

    it("notes each unlisted allele once", function()
      local ph, info = pgx.phenotype("NUDT15", "*10/*10")
      assert.equal("indeterminate", ph)
      assert.same({ "unknown", "unknown" }, info.functions)
      assert.same({ "unlisted", "unlisted" }, info.sources)
      assert.equal(2, #info.notes) -- the allele once, then the pair
    end)

    it("DPWG takes CPIC's function for an allele it does not classify, and says so", function()
      -- TPMT *23: CPIC no function, not classified by DPWG
      local ph, info = pgx.phenotype("TPMT", "*2/*23", "dpwg")
      assert.equal("poor", ph)
      assert.same({ "no_function", "no_function" }, info.functions)
      assert.same({ "listed", "fallback" }, info.sources)
      assert.matches("TPMT %*23 is not in the DPWG allele%-function table: the CPIC function "
        .. "%(no function%) is used %(fallback profile%)", info.notes[1])
      assert.equal("intermediate", (pgx.phenotype("TPMT", "*1/*23", "dpwg")))
      -- NUDT15 *9 is DPWG's own now (decreased function)
      local ph9, info9 = pgx.phenotype("NUDT15", "*2/*9", "dpwg")
      assert.equal("poor", ph9)
      assert.same({ "listed", "listed" }, info9.sources)
      assert.equal("intermediate", (pgx.phenotype("NUDT15", "*1/*9", "dpwg")))
      assert.equal("possible_intermediate", (pgx.phenotype("TPMT", "*3A/*19", "dpwg")))
      assert.equal("indeterminate", (pgx.phenotype("TPMT", "*1/*19", "dpwg")))
      local ph10, info10 = pgx.phenotype("NUDT15", "*2/*10", "dpwg")
      assert.equal("possible_intermediate", ph10)
      assert.matches("nor in the CPIC one", info10.notes[1])
    end)
  end)

  describe("phenotype(): hand-picked cases (clinical reference §1.2)", function()
    local cases = {
      -- gene, diplotype, CPIC, DPWG
      { "TPMT", "*1/*1", "normal", "normal" },
      { "TPMT", "*1/*3A", "intermediate", "intermediate" },
      { "TPMT", "*3A/*3C", "poor", "poor" },
      { "TPMT", "*3A/*3A", "poor", "poor" },
      -- the reference's CPIC/DPWG disagreements
      { "TPMT", "*1/*8", "indeterminate", "intermediate" },
      { "TPMT", "*3A/*8", "possible_intermediate", "poor" },
      { "NUDT15", "*1/*5", "indeterminate", "intermediate" },
      { "NUDT15", "*5/*5", "indeterminate", "poor" },
      -- CPIC examples of §1.2
      { "NUDT15", "*4/*4", "indeterminate", "poor" },
      -- DPWG 2025-09-25: *4-*9 decreased function (two reduced alleles: poor)
      { "NUDT15", "*5/*8", "indeterminate", "poor" },
      { "NUDT15", "*2/*5", "possible_intermediate", "poor" },
      { "NUDT15", "*3/*8", "possible_intermediate", "poor" },
      { "NUDT15", "*2/*9", "poor", "poor" },
      { "NUDT15", "*3/*9", "poor", "poor" },
      { "NUDT15", "*1/*9", "intermediate", "intermediate" },
      { "NUDT15", "*1/*1", "normal", "normal" },
      { "NUDT15", "*1/*3", "intermediate", "intermediate" },
      -- TPMT *3D: listed by neither (DPWG dropped it), so unknown function in both
      { "TPMT", "*1/*3D", "indeterminate", "indeterminate" },
      { "TPMT", "*3A/*3D", "possible_intermediate", "possible_intermediate" },
      -- CPIC unknown-function allele (DPWG: CPIC's function)
      { "TPMT", "*1/*30", "indeterminate", "indeterminate" },
      { "TPMT", "*2/*30", "possible_intermediate", "possible_intermediate" },
    }
    for _, c in ipairs(cases) do
      it(("%s %s is %s (CPIC) and %s (DPWG)"):format(c[1], c[2], c[3], c[4]), function()
        assert.equal(c[3], (pgx.phenotype(c[1], c[2])))
        assert.equal(c[3], (pgx.phenotype(c[1], c[2], "cpic")))
        assert.equal(c[4], (pgx.phenotype(c[1], c[2], "dpwg")))
      end)
    end

    it("uses CPIC by default", function()
      local _, info = pgx.phenotype("TPMT", "*1/*3A")
      assert.equal("cpic", info.profile)
      assert.equal("S-PCAT-PHENO", info.cite)
    end)

    it("notes an allele the table does not list; with a normal one, indeterminate", function()
      local ph, info = pgx.phenotype("TPMT", "*1/*99")
      assert.equal("indeterminate", ph)
      assert.same({ "normal", "unknown" }, info.functions)
      assert.same({ "listed", "unlisted" }, info.sources)
      assert.matches("TPMT %*99 is not in the CPIC allele%-function table", info.notes[1])
    end)

    it("accepts a site profile table", function()
      local site = {
        id = "site", cite = "local",
        genes = { TPMT = { ["*1"] = "normal", ["*3A"] = "no_function" } },
        phenotypes = { { "normal", "normal", "normal" }, { "normal", "no_function", "poor" } },
      }
      assert.equal("poor", (pgx.phenotype("TPMT", "*1/*3A", site)))
      local _, info = pgx.phenotype("TPMT", "*1/*9", site)
      assert.matches("not in the SITE allele%-function table", info.notes[1])
      site.id = nil
      local ph, info2 = pgx.phenotype("TPMT", "*1/*1", site)
      assert.equal("normal", ph)
      assert.equal("site", info2.profile)
      assert.fails_with("E_INPUT", "gene 'NUDT15' is not in the site allele-function table",
        pgx.phenotype("NUDT15", "*1/*1", site))
    end)

    it("accepts the alias cpic-2025 for the CPIC table", function()
      local _, info = pgx.phenotype("TPMT", "*1/*8", "cpic-2025")
      assert.equal("cpic", info.profile)
    end)

    it("rejects an unknown profile", function()
      assert.fails_with("E_INPUT", "unknown pharmacogenomic profile 'xyz'",
        pgx.phenotype("TPMT", "*1/*1", "xyz"))
    end)
  end)

  describe("parse_diplotype()", function()
    local must_parse = {
      { "*1/*3A", "*1", "*3A" },
      { "*3A/*3C", "*3A", "*3C" },
      { " *3A / *3C ", "*3A", "*3C" },
      { "*1 /*1", "*1", "*1" },
      { "*3a/*3c", "*3A", "*3C" },
      { "*1/*99", "*1", "*99" },
    }
    for _, c in ipairs(must_parse) do
      it(("parses %q"):format(c[1]), function()
        local a, b = pgx.parse_diplotype(c[1])
        assert.equal(c[2], a)
        assert.equal(c[3], b)
      end)
    end
    local must_fail = { "*1/", "/*1", "*1", "*1*3A", "1/3A", "*1/*2/*3", "*1-*3A", "",
                        "TPMT*1/*3A", "*1/ *", "* 1/*1" }
    for _, text in ipairs(must_fail) do
      it(("rejects %q"):format(text), function()
        assert.fails_with("E_INPUT", ("'%s' is not a diplotype"):format(text),
          pgx.parse_diplotype(text))
        assert.fails_with("E_INPUT", "is not a diplotype", pgx.phenotype("TPMT", text))
      end)
    end
    it("rejects a value that is not a string", function()
      assert.fails_with("E_INPUT", "13 is not a diplotype", pgx.parse_diplotype(13))
    end)
  end)

  describe("classify_activity()", function()
    -- St Thomas' nmol/h/g Hb: < 10 poor, 10-25 intermediate, 26-50 normal, > 50 high
    -- (clinical reference §1.2, S-Lab [V]; design §8)
    local cases = {
      { 0, "poor", "deficient" },
      { 9.9, "poor", "deficient" },
      { 10, "intermediate", "carrier" },
      { 18, "intermediate", "carrier" },
      { 25, "intermediate", "carrier" },
      { 25.5, "intermediate", "carrier" }, -- between the published bands: lower band
      { 25.99, "intermediate", "carrier" },
      { 26, "normal", "normal" },
      { 50, "normal", "normal" },
      { 50.5, "normal", "high" },
      { 80, "normal", "high" },
    }
    for _, c in ipairs(cases) do
      it(("St Thomas' %s nmol/h/g{Hb} is %s (%s)"):format(c[1], c[2], c[3]), function()
        local ph, info = pgx.classify_activity(c[1])
        assert.equal(c[2], ph)
        assert.equal(c[3], info.band)
        assert.equal("st_thomas", info.method)
        assert.equal("nmol/h/g{Hb}", info.unit)
      end)
    end

    it("notes a value between two published bands", function()
      local _, info = pgx.classify_activity(25.5)
      assert.matches("between the published bands", info.notes[1])
      local _, info26 = pgx.classify_activity(26)
      assert.same({}, info26.notes)
    end)

    it("classifies the Mayo-type bands and leaves values above them indeterminate", function()
      assert.equal("poor", (pgx.classify_activity(6.2, "mayo")))
      assert.equal("intermediate", (pgx.classify_activity(6.3, "mayo")))
      assert.equal("intermediate", (pgx.classify_activity(15.0, "mayo")))
      assert.equal("normal", (pgx.classify_activity(15.1, "mayo")))
      assert.equal("normal", (pgx.classify_activity(26.4, "mayo")))
      local ph, info = pgx.classify_activity(30, "mayo")
      assert.equal("indeterminate", ph)
      assert.matches("outside every published band", info.notes[1])
    end)

    it("rejects an unknown method and a bad value", function()
      assert.fails_with("E_INPUT", "unknown TPMT activity method 'nope'",
        pgx.classify_activity(10, "nope"))
      assert.fails_with("E_INPUT", "is not a valid TPMT activity", pgx.classify_activity(-1))
      assert.fails_with("E_INPUT", "is not a valid TPMT activity", pgx.classify_activity(0 / 0))
    end)

    it("marks transfusions within 120 days as invalidating (design §8)", function()
      assert.equal(120, pgx.activity_data().transfusion_days)
    end)
  end)

  describe("data()", function()
    it("loads the data files in an empty environment and caches them", function()
      local a = pgx.data("loinc")
      assert.equal("wbc", a["6690-2"].test)
      assert.equal(a, pgx.data("loinc"))
    end)
    it("raises on a missing file", function()
      assert.has_error(function() pgx.data("no_such_file") end)
    end)
  end)
end)
