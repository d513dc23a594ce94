-- POST /api/oauth/authorize as the signed-in person (the consent screen's
-- call): every answer must carry a code, which is kept for the exchange.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

function init(args)
  wrk.method = "POST"
  wrk.body = os.getenv("BENCH_AUTHORIZE_BODY")
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
  wrk.headers["Sec-Fetch-Site"] = "same-origin"
  codes = bench_open("codes")
end

function response(status, headers, body)
  if status >= 400 then return end -- wrk counts these itself
  local code = body:match("[?&]code=([%w_%-]+)")
  if status ~= 200 or not code then
    bad = bad + 1
    return
  end
  codes:write(code, "\n")
end
