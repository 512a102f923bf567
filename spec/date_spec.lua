-- aza.date: civil dates as day numbers (days since 1970-01-01), parsing with calendar
-- validation, formatting, leap years.
local date = require "aza.date"

describe("aza.date", function()
  describe("days_from_civil and civil_from_days", function()
    it("gives the known day numbers", function()
      assert.equal(0, date.days_from_civil(1970, 1, 1))
      assert.equal(-1, date.days_from_civil(1969, 12, 31))
      assert.equal(11017, date.days_from_civil(2000, 3, 1)) -- 10957 + 31 + 29
      assert.equal(20778, date.days_from_civil(2026, 11, 21))
      assert.equal(19782, date.days_from_civil(2024, 2, 29))
      assert.equal(-719528, date.days_from_civil(0, 1, 1))
      assert.equal(2932896, date.days_from_civil(9999, 12, 31))
    end)

    it("gives integers for integer input", function()
      assert.is_true(require("aza.compat").is_integral(date.days_from_civil(2026, 11, 21)))
    end)

    it("turns day numbers back into dates", function()
      assert.same({ 1970, 1, 1 }, { date.civil_from_days(0) })
      assert.same({ 1969, 12, 31 }, { date.civil_from_days(-1) })
      assert.same({ 2000, 3, 1 }, { date.civil_from_days(11017) })
      assert.same({ 2000, 2, 29 }, { date.civil_from_days(11016) })
      assert.same({ 2026, 11, 21 }, { date.civil_from_days(20778) })
      assert.same({ 0, 1, 1 }, { date.civil_from_days(-719528) })
    end)

    it("inverts each other before year 0 too", function()
      for _, n in ipairs { -719529, -800000, -1000000, -146097 * 3 - 1 } do
        assert.equal(n, date.days_from_civil(date.civil_from_days(n)))
      end
      assert.same({ -1, 12, 31 }, { date.civil_from_days(-719529) })
    end)
  end)

  describe("is_leap", function()
    it("follows the Gregorian rule", function()
      assert.is_true(date.is_leap(2000))
      assert.is_false(date.is_leap(1900))
      assert.is_true(date.is_leap(2024))
      assert.is_false(date.is_leap(2025))
      assert.is_false(date.is_leap(2100))
      assert.is_true(date.is_leap(2400))
      assert.is_true(date.is_leap(0))
    end)
  end)

  describe("parse", function()
    it("reads YYYY-MM-DD as the day number, with the year, month and day", function()
      assert.same({ 0, 1970, 1, 1 }, { date.parse("1970-01-01") })
      assert.same({ 11017, 2000, 3, 1 }, { date.parse("2000-03-01") })
      assert.same({ 20778, 2026, 11, 21 }, { date.parse("2026-11-21") })
      assert.same({ -1, 1969, 12, 31 }, { date.parse("1969-12-31") })
      assert.equal(11016, (date.parse("2000-02-29")))
      assert.equal(19782, (date.parse("2024-02-29")))
    end)

    it("rejects days the calendar does not have", function()
      assert.same({ nil, "2026-02-30 is not a calendar date" }, { date.parse("2026-02-30") })
      assert.same({ nil, "2025-02-29 is not a calendar date" }, { date.parse("2025-02-29") })
      assert.same({ nil, "1900-02-29 is not a calendar date" }, { date.parse("1900-02-29") })
      assert.same({ nil, "2026-13-01 is not a calendar date" }, { date.parse("2026-13-01") })
      assert.same({ nil, "2026-00-10 is not a calendar date" }, { date.parse("2026-00-10") })
      assert.same({ nil, "2026-04-31 is not a calendar date" }, { date.parse("2026-04-31") })
      assert.same({ nil, "2026-01-00 is not a calendar date" }, { date.parse("2026-01-00") })
    end)

    it("rejects other shapes", function()
      assert.same({ nil, "'2026-1-01' is not a date (YYYY-MM-DD)" }, { date.parse("2026-1-01") })
      for _, bad in ipairs { "", "2026-11-21T10:00", " 2026-11-21", "2026/11/21", "20261121",
                             "26-11-21", "+2026-11-21", "2026-11-2a" } do
        local n, msg = date.parse(bad)
        assert.is_nil(n, bad)
        assert.equal("'" .. bad .. "' is not a date (YYYY-MM-DD)", msg)
      end
      assert.same({ nil, "a number is not a date (YYYY-MM-DD)" }, { date.parse(20778) })
      assert.same({ nil, "a nil is not a date (YYYY-MM-DD)" }, { date.parse(nil) })
    end)
  end)

  describe("format", function()
    it("writes a day number as YYYY-MM-DD", function()
      assert.equal("1970-01-01", date.format(0))
      assert.equal("1969-12-31", date.format(-1))
      assert.equal("2000-03-01", date.format(11017))
      assert.equal("2026-11-21", date.format(20778))
      assert.equal("0000-01-01", date.format(-719528))
      assert.equal("9999-12-31", date.format(2932896))
    end)

    it("round-trips with parse, one day after another (1890-2110)", function()
      local first, last = date.days_from_civil(1890, 1, 1), date.days_from_civil(2110, 12, 31)
      local prev
      for n = first, last do
        local text = date.format(n)
        local back, y, m, d = date.parse(text)
        if back ~= n then
          error(("day %d: format %s, parse %s"):format(n, text, tostring(back)))
        end
        if prev then
          -- the next day: day + 1, or the first of the next month / year
          local py, pm, pd = prev[1], prev[2], prev[3]
          local ok = (y == py and m == pm and d == pd + 1)
            or (y == py and m == pm + 1 and d == 1)
            or (y == py + 1 and m == 1 and d == 1 and pm == 12 and pd == 31)
          if not ok then
            error(("day %d: %s does not follow %04d-%02d-%02d"):format(n, text, py, pm, pd))
          end
        end
        prev = { y, m, d }
      end
      assert.equal(80718, last - first + 1) -- 221 years, 53 of them leap years
    end)

    it("round-trips with parse across years 0000-9999 (every 97th day)", function()
      for n = date.days_from_civil(0, 1, 1), date.days_from_civil(9999, 12, 31), 97 do
        local text = date.format(n)
        if (date.parse(text)) ~= n then
          error(("day %d: format %s, parse %s"):format(n, text, tostring(date.parse(text))))
        end
      end
    end)
  end)
end)
