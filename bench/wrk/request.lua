-- One scenario's request for wrk, and its figures as one JSON line.
--
-- wrk has a flag for headers (-H) but none for the method or the body, so
-- they come from the environment: BENCH_METHOD, and BENCH_BODY_FILE (sent
-- byte for byte; wrk adds Content-Length).

wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body_file = os.getenv("BENCH_BODY_FILE")
if body_file and body_file ~= "" then
  local f = assert(io.open(body_file, "rb"))
  wrk.body = f:read("*a")
  f:close()
end

-- No response() callback: defining one makes wrk hand every response to
-- Lua, which would slow the load generator and so lower every figure.
-- wrk's errors.status counts responses of status 400 and above; the harness
-- sends no conditional headers and checks the status before each run, so a
-- 3xx cannot hide here.
function done(summary, latency, requests)
  local e = summary.errors
  local us = function(p) return math.floor(latency:percentile(p)) end
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"http_errors":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    us(50), us(95), us(99), math.floor(latency.max),
    e.status, e.connect, e.read, e.write, e.timeout))
end
