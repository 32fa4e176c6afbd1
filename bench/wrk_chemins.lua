-- wrk script of bench/carte.py: each request takes the next path of the file given after `--`
-- (each thread starts at its own place), and done() prints one JSON line of figures.
--   wrk -t2 -c50 -d15s -s bench/wrk_chemins.lua http://127.0.0.1:8000 -- paths.txt

local paths = {}
local i = 0
local thread_number = 0

function setup(thread)
  thread:set("offset", thread_number * 7919)
  thread_number = thread_number + 1
end

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  i = tonumber(offset) or 0
end

function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "errors": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
