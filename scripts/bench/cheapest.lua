-- GET /api/auth/config: the server's cheapest route, the yardstick.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

function response(status, headers, body)
  if status >= 400 then return end -- wrk counts these itself
  if status ~= 200 or not body:find('"signup_enabled"', 1, true) then bad = bad + 1 end
end
