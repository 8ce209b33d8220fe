-- GET load for bench/run.py: WRK_PATHS names a file of paths (one a line, taken in turn);
-- else the URL's own path. WRK_COOKIE adds a Cookie header. done() prints one JSON line.
local paths = {}
local file = os.getenv("WRK_PATHS")
if file and file ~= "" then
  for line in io.lines(file) do if line ~= "" then paths[#paths + 1] = line end end
end
local cookie = os.getenv("WRK_COOKIE")
if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end
-- Many clients behind the proxy (the stack sets TRUSTED_PROXY_COUNT=1): each request comes
-- from one of WRK_CLIENTS addresses, as nginx would forward it, so the API's per-address
-- throttle runs at its production rate per client, as with sponsors' tools polling.
local clients = tonumber(os.getenv("WRK_CLIENTS") or "5000")
local function headers_for(n)
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  local a = n % clients
  h["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.floor(a / 65536) % 256, math.floor(a / 256) % 256, a % 256)
  return h
end
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = id or 0
  ok, bad, s5xx = 0, 0, 0
  verified = false
end

function request()
  counter = counter + 1
  if #paths == 0 then return wrk.format(nil, nil, headers_for(counter * 2 + (id or 0))) end
  if not verified then verified = true; return wrk.format(nil, paths[1]) end  -- wrk's check, not sent
  return wrk.format(nil, paths[(counter % #paths) + 1], headers_for(counter * 2 + (id or 0)))
end

function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1 else bad = bad + 1 end
  if status >= 500 then s5xx = s5xx + 1 end
end

function done(summary, latency, requests)
  local o, b, f = 0, 0, 0
  for _, t in ipairs(threads) do o = o + t:get("ok"); b = b + t:get("bad"); f = f + t:get("s5xx") end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "seconds": %.3f, "ok": %d, "bad": %d, "s5xx": %d, "socket_errors": %d, ' ..
    '"timeouts": %d, "p50_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, o, b, f, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
