-- Casting for bench/run.py and bench/faults.py: WRK_VOTERS names a file of
-- "session csrf entry ranks" lines (bench/loader.py). Thread i of n posts lines i, i+n, …,
-- one ballot each, through the real ballot form with the voter's session and CSRF cookies.
-- WRK_SLUG is the election. Once its lines are sent a connection only polls /healthz (every
-- 200 ms); the caller stops wrk (SIGINT) once each thread wrote its file in WRK_DONE (every
-- ballot answered), or the roll stops changing (a request lost with a killed worker). Ballots per
-- second come from this script's own clock: first POST sent to last POST answered.
-- done() prints one JSON line.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } w16_timespec;
int clock_gettime(int clk, w16_timespec *tp);
]]
local ts = ffi.new("w16_timespec")
local function now()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local lines = {}
for line in io.lines(os.getenv("WRK_VOTERS")) do if line ~= "" then lines[#lines + 1] = line end end
local slug = os.getenv("WRK_SLUG")
local nthreads = tonumber(os.getenv("WRK_THREADS") or "2")
donedir = os.getenv("WRK_DONE") or ""
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  mine = {}
  for i = id + 1, #lines, nthreads do mine[#mine + 1] = lines[i] end
  sent, answered, cast, refused, already, s5xx, s503, other = 0, 0, 0, 0, 0, 0, 0, 0
  first, last = 0, 0
  verified = false
end

function request()
  if not verified then  -- wrk calls request() once per thread to check it; nothing is sent
    verified = true
    return wrk.format("GET", "/healthz")
  end
  if sent >= #mine then
    return wrk.format("GET", "/healthz")
  end
  sent = sent + 1
  if first == 0 then first = now() end
  local session, csrf, entry, ranks = mine[sent]:match("^(%S+) (%S+) (%S+) (%S+)$")
  -- action=cast: the form's "Cast" button (without it the form shows the review step).
  local body = "csrfmiddlewaretoken=" .. csrf .. "&entry=" .. entry .. "&action=cast&" .. ranks
  local headers = {
    ["Cookie"] = "sessionid=" .. session .. "; csrftoken=" .. csrf,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  return wrk.format("POST", "/elections/" .. slug .. "/ballot/", headers, body)
end

function delay()
  if sent >= #mine then return 200 end
  return 0
end

function response(status, headers, body)
  local ctype = headers["Content-Type"] or ""
  if ctype:find("json") and (status == 200 or body:find('"checks"')) then
    return  -- a /healthz poll
  end
  answered = answered + 1
  last = now()
  if answered == #mine and donedir ~= "" then  -- tells the caller this thread has every answer
    local f = io.open(donedir .. "/thread-" .. id, "w"); if f then f:write(answered); f:close() end
  end
  -- 200 with the receipt (its tracker code) is a cast; 409 is "already voted"; any other
  -- 200 (the review step, the form again) counts as other.
  if status == 200 and body:find("tracker code") then cast = cast + 1
  elseif status == 409 or (status == 400 and body:find("already been cast", 1, true)) then
    refused = refused + 1
    if body:find('id="already-voted"', 1, true) or body:find("already been cast", 1, true) then
      already = already + 1
    end
  elseif status == 400 then refused = refused + 1
  elseif status >= 500 then
    s5xx = s5xx + 1
    if status == 503 then s503 = s503 + 1 end
  else other = other + 1 end
end

function done(summary, latency, requests)
  local t = {cast = 0, refused = 0, already = 0, s5xx = 0, s503 = 0, other = 0, answered = 0}
  local first_all, last_all = nil, 0
  for _, th in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + th:get(k) end
    local f, l = th:get("first"), th:get("last")
    if f > 0 and (first_all == nil or f < first_all) then first_all = f end
    if l > last_all then last_all = l end
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "seconds": %.3f, "answered": %d, "cast": %d, "refused": %d, "already": %d, ' ..
    '"s5xx": %d, "s503": %d, "other": %d, "socket_errors": %d, "timeouts": %d, ' ..
    '"p50_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, first_all and (last_all - first_all) or 0, t.answered, t.cast, t.refused, t.already,
    t.s5xx, t.s503, t.other, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
