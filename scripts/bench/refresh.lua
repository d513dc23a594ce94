-- POST /api/oauth/token, grant_type=refresh_token (rotation), one refresh
-- token per request, each presented once: the thread starts with the tokens
-- the exchange issued and queues each rotated successor, as a client that
-- keeps refreshing would (so it never runs dry).
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

function init(args)
  tokens = bench_read("refresh")
  next_token = 1
  -- Every connection needs a token of its own in flight.
  if #tokens < 64 then ran_out = 1 end
  if os.getenv("BENCH_DEBUG") then io.write("thread ", id, " read ", #tokens, " first ", tostring(tokens[1]), "\n") end
  headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = os.getenv("BENCH_BASIC"),
  }
end

function request()
  sent = (sent or 0) + 1
  local token = tokens[next_token]
  if token then
    next_token = next_token + 1
  else
    ran_out = ran_out + 1
    token = "agpt_rt_used_up"
  end
  return wrk.format("POST", "/api/oauth/token", headers,
    "grant_type=refresh_token&refresh_token=" .. token)
end

function response(status, headers, body)
  if status >= 400 then return end -- wrk counts these itself
  local refresh = body:match('"refresh_token":"([^"]+)"')
  if status ~= 200 or not refresh or not body:find('"access_token":"agpt_xt_', 1, true) then
    bad = bad + 1
    return
  end
  table.insert(tokens, refresh)
end
