-- wrk script: the limit probe's submission (../shared/bench/wrk_create.lua:
-- four fields and a PDF, a unique email per request), with a real-looking
-- name per request (scripts/bench/names.lua) instead of always the same one.
-- EXTRA (set by a script that loads this one): more parts, before the resume.
dofile("scripts/bench/names.lua")
local f = io.open(os.getenv("PDF") or "/tmp/cv50k.pdf", "rb"); local pdf = f:read("*a"); f:close()
local boundary = "----wrkboundary7MA4YWxkTrZu0gW"
local counter = 0
local nthreads = 0
function part(name, value)
  return "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. name .. "\"\r\n\r\n" .. value .. "\r\n"
end
function setup(thread) nthreads = nthreads + 1; thread:set("tid", nthreads) end
function init(args) counter = 0; math.randomseed(os.time() * 100 + (tid or 0)) end
function request()
  counter = counter + 1
  local em = string.format("w%d.%d.%d@example.com", tid or 0, counter, math.random(1, 1e9))
  local first, last = random_name()
  local body = part("first_name", first) .. part("last_name", last) .. part("email", em) .. (EXTRA or "") ..
    "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"resume\"; filename=\"cv.pdf\"\r\nContent-Type: application/pdf\r\n\r\n" ..
    pdf .. "\r\n--" .. boundary .. "--\r\n"
  return wrk.format("POST", "/api/leads", {["Content-Type"] = "multipart/form-data; boundary=" .. boundary}, body)
end
local codes = {}
function response(status, headers, body) codes[status] = (codes[status] or 0) + 1 end
function done(summary, latency, requests)
  io.write(string.format("p50=%.1fms p99=%.1fms errors(non-2xx)=%d\n", latency:percentile(50)/1000, latency:percentile(99)/1000, summary.errors.status))
end
