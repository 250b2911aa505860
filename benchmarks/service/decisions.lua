-- wrk script: POST /v1/decisions for a rotating set of subjects (half consented, half not).
local key = os.getenv("PIGUARD_BENCH_KEY") or ""
local subjects = tonumber(os.getenv("PIGUARD_BENCH_SUBJECTS") or "1000")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if key ~= "" then wrk.headers["Authorization"] = "Bearer " .. key end
local n = 0
request = function()
  n = n + 1
  local s = "bench-" .. (n % (2 * subjects))
  local body = '{"subject":"' .. s .. '","notice":"bench","purpose":"trip","categories":["location.precise"]}'
  return wrk.format(nil, "/v1/decisions", nil, body)
end
