-- wrk script: POST each line of $BODIES_FILE (one JSON body per line) in turn, cycling: the realistic mix is every
-- training applicant sent once per cycle, so approves and rejects (with their reasons) come in the data's proportion.
-- Each wrk thread starts at a different offset. Prints one machine-readable summary line (WRK {...}), as post.lua.
local bodies = {}
for line in io.lines(os.getenv("BODIES_FILE")) do
  if #line > 0 then bodies[#bodies + 1] = line end
end
assert(#bodies > 0, "BODIES_FILE has no bodies")

local counter = 0
function setup(thread)
  thread:set("offset", counter * 997)
  counter = counter + 1
end

local i = 0
function init()
  i = (tonumber(offset) or 0) % #bodies
end

function request()
  i = i % #bodies + 1
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, bodies[i])
end

local non2xx = 0
function response(status)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

function done(summary, latency)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests":%d,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"errors":%d}\n',
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.status + e.timeout))
end
