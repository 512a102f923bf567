--- An evaluation result as CDS Hooks cards (`aza evaluate --format cards`).
--
-- The response body a CDS service returns to an EHR (CDS Hooks 1.0/2.0
-- `cards`): the first card carries the decision and the dose plan, then one
-- card per alert in the result's order. Each card has the required fields
-- `summary` (at most 140 characters, cut at a word with "…"), `indicator`
-- (`info`, `warning` or `critical`) and `source.label`; `detail` is
-- GitHub-flavoured markdown. The decision card's detail holds the whole text
-- plan (`aza.render.text`) so the reasons and citations travel with it.
-- Output is deterministic JSON with sorted keys (`aza.render.json`): no
-- uuids, no clock.
--
-- | decision | decision card indicator |
-- |---|---|
-- | proceed | info |
-- | adjust, need_data | warning |
-- | withhold, contraindicated | critical |
--
-- @module aza.render.cards
-- @usage
-- local cards = require "aza.render.cards"
-- io.write(cards.render(result))   --> {"cards": [{"indicator": "info", ...}, ...]}

local json = require "aza.render.json"
local text = require "aza.render.text"

local ipairs, string, tostring = ipairs, string, tostring
local compat = require "aza.compat"

local M = {}

--- Most characters a card summary may have (CDS Hooks: "<140 characters").
M.SUMMARY_MAX = 140

local INDICATOR = {
  proceed = "info", adjust = "warning", need_data = "warning",
  withhold = "critical", contraindicated = "critical",
}

local SEVERITY = { info = "info", warning = "warning", critical = "critical" }

local HEADLINE = {
  proceed = "proceed", adjust = "adjust the dose", need_data = "more data needed",
  withhold = "withhold", contraindicated = "contraindicated",
}

--- Shorten a text to at most `max` characters, at a word, ending with "…".
-- @tparam string s
-- @tparam[opt] integer max default `SUMMARY_MAX`
-- @treturn string
function M.shorten(s, max)
  max = max or M.SUMMARY_MAX
  s = string.gsub(tostring(s), "%s+", " ")
  if (compat.utf8_len(s) or #s) <= max then
    return s
  end
  local cut = compat.utf8_offset(s, max) or max   -- keep room for the ellipsis
  local head = string.sub(s, 1, cut - 1)
  local at_word = string.match(head, "^(.*%S)%s+%S*$")
  return (at_word or head) .. "…"
end

local function source(r)
  local p = r.protocol or {}
  return { label = "aza " .. tostring(p.id) .. " " .. tostring(p.version) }
end

-- "Azathioprine (ibd): proceed — 150 mg/day as 3 × 50 mg once daily"; for a
-- patient already taking azathioprine "proceed — current dose 75 mg/day as …"
-- or "adjust the dose — 150 → 25 mg/day as …"
local function decision_summary(r)
  local p = r.protocol or {}
  local s = "Azathioprine (" .. tostring(p.id) .. "): " .. tostring(HEADLINE[r.decision]
    or r.decision)
  if (r.decision == "withhold" or r.decision == "contraindicated") and r.decision_by then
    s = s .. " (" .. r.decision_by .. ")"
  end
  local d = r.dose
  if d and d.target_mg_per_day then
    local plan = text.num(d.target_mg_per_day) .. " mg/day" .. (d.schedule and " on average" or "")
    if d.basis == "current" and d.current_mg_per_day then
      if d.current_mg_per_day == d.target_mg_per_day then
        plan = "current dose " .. plan
      else
        plan = text.num(d.current_mg_per_day) .. " → " .. plan
      end
    end
    if d.regimen and d.regimen.text then
      plan = plan .. " as " .. d.regimen.text
    end
    if r.decision == "need_data" then
      s = s .. " — provisional: " .. plan
    elseif r.decision == "withhold" then
      s = s .. " — plan on hold: " .. plan
    else
      s = s .. " — " .. plan
    end
  end
  return M.shorten(s)
end

--- The cards of a result.
-- @tparam table r the result of `protocol:evaluate`
-- @treturn {table,...} the cards
function M.cards(r)
  local cards = {
    { summary = decision_summary(r), indicator = INDICATOR[r.decision] or "warning",
      detail = "```\n" .. text.render(r) .. "```", source = source(r) },
  }
  for _, a in ipairs(r.alerts or {}) do
    local message = tostring(a.message or a.id)
    local detail = message
    if a.cite then
      detail = detail .. "\n\nSource: " .. tostring(a.cite)
    end
    local src = source(r)
    if a.cite then
      src.label = M.shorten(tostring(a.cite) .. " (" .. src.label .. ")")
    end
    cards[#cards + 1] = { summary = M.shorten(message), indicator = SEVERITY[a.severity]
      or "warning", detail = detail, source = src }
  end
  return cards
end

--- Render a result as a CDS Hooks response body: `{"cards": [...]}`,
-- indented JSON with a final newline.
-- @tparam table r the result of `protocol:evaluate`
-- @treturn string
-- @return[2] nil, message, `"E_ARG"`
function M.render(r)
  return json.render { cards = M.cards(r) }
end

return M
