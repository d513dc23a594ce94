-- POST /api/oauth/token, grant_type=authorization_code with PKCE and HTTP
-- Basic, one pre-minted code per request; keeps the tokens it gets.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

function init(args)
  codes = bench_read("codes")
  next_code = 1
  refresh_out = bench_open("refresh")
  access_out = bench_open("access")
  form = "grant_type=authorization_code&redirect_uri=" .. os.getenv("BENCH_REDIRECT_ENC")
    .. "&code_verifier=" .. os.getenv("BENCH_VERIFIER") .. "&code="
  headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = os.getenv("BENCH_BASIC"),
  }
end

function request()
  local code = codes[next_code]
  if code then
    next_code = next_code + 1
  else
    ran_out = ran_out + 1
    code = "agpt_code_used_up"
  end
  return wrk.format("POST", "/api/oauth/token", headers, form .. code)
end

function response(status, headers, body)
  if status >= 400 then return end -- wrk counts these itself
  local access = body:match('"access_token":"([^"]+)"')
  local refresh = body:match('"refresh_token":"([^"]+)"')
  if status ~= 200 or not access or not refresh then
    bad = bad + 1
    return
  end
  access_out:write(access, "\n")
  refresh_out:write(refresh, "\n")
end
