-- Shared by the wrk scripts of scripts/bench.sh. Each wrk thread gets an id
-- (1, 2, ...) so it can read and write files of its own; done() sums every
-- thread's counters and prints one RESULT line for bench.sh to collect:
--   RESULT <name> <requests> <seconds> <p50 ms> <p99 ms> <bad> <timeouts> <socket errors> <ran out>
-- "bad" counts answers that are not what a client needs (checked per test),
-- "ran out" requests made after a thread used up its pre-minted inputs.

local threads = {}
local count = 0

function setup(thread)
  count = count + 1
  thread:set("id", count)
  table.insert(threads, thread)
end

function bench_open(name)
  local dir = os.getenv("BENCH_DIR")
  local f = assert(io.open(dir .. "/" .. name .. "-" .. id .. ".txt", "a"))
  f:setvbuf("line")
  return f
end

function bench_read(name)
  local dir = os.getenv("BENCH_DIR")
  local items = {}
  local f = io.open(dir .. "/" .. name .. "-" .. id .. ".txt", "r")
  if f then
    for line in f:lines() do
      if #line > 0 then table.insert(items, line) end
    end
    f:close()
  end
  return items
end

bad = 0
ran_out = 0

function done(summary, latency, requests)
  local b, r = 0, 0
  for _, t in ipairs(threads) do
    b = b + (t:get("bad") or 0)
    r = r + (t:get("ran_out") or 0)
    if os.getenv("BENCH_DEBUG") then io.write("thread ", t:get("id"), " sent ", tostring(t:get("sent")), " next ", tostring(t:get("next_token")), "\n") end
  end
  local e = summary.errors
  io.write(string.format("RESULT %s %d %.3f %.2f %.2f %d %d %d %d\n",
    os.getenv("BENCH_NAME") or "?", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    b + e.status, e.timeout, e.connect + e.read + e.write, r))
end
