-- POST /api/oauth/introspect with HTTP Basic, cycling through access tokens
-- the exchange issued: every answer must say active.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

function init(args)
  tokens = bench_read("access")
  next_token = 1
  headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = os.getenv("BENCH_BASIC"),
  }
end

function request()
  local token = tokens[next_token] or "agpt_xt_none"
  next_token = next_token % math.max(#tokens, 1) + 1
  return wrk.format("POST", "/api/oauth/introspect", headers, "token=" .. token)
end

function response(status, headers, body)
  if status >= 400 then return end -- wrk counts these itself
  if status ~= 200 or not body:find('"active":true', 1, true) then bad = bad + 1 end
end
