-- wrk script for benchmarks/swap.sh: the realistic mix (as mix.lua: every line of $BODIES_FILE in turn) with each
-- answer's modelVersion tallied against the two versions being swapped ($FIRST, $SECOND). Run with one thread (-t1):
-- done() reads the thread's counters. Prints one summary line, SWAP {...}.
local bodies = {}
for line in io.lines(os.getenv("BODIES_FILE")) do
  if #line > 0 then bodies[#bodies + 1] = line end
end
assert(#bodies > 0, "BODIES_FILE has no bodies")
local first, second = os.getenv("FIRST"), os.getenv("SECOND")

local threads = {}
function setup(thread)
  thread:set("offset", #threads * 997)
  threads[#threads + 1] = thread
end

local i = 0
function init()
  i = (tonumber(offset) or 0) % #bodies
  n_first, n_second, n_other, n_non2xx = 0, 0, 0, 0
end

function request()
  i = i % #bodies + 1
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, bodies[i])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    n_non2xx = n_non2xx + 1
    return
  end
  local version = body:match('"modelVersion":"(%w+)"')
  if version == first then n_first = n_first + 1
  elseif version == second then n_second = n_second + 1
  else n_other = n_other + 1 end
end

function done(summary, latency)
  local f, s, o, n = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    f, s, o, n = f + t:get("n_first"), s + t:get("n_second"), o + t:get("n_other"), n + t:get("n_non2xx")
  end
  local e = summary.errors
  io.write(string.format(
    'SWAP {"requests":%d,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"socket_errors":%d,"non2xx":%d,"first":%d,"second":%d,"other":%d}\n',
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout, n, f, s, o))
end
