-- A login flood (issue 15): wrong passwords for one account, each from a
-- new client address (X-Forwarded-For, the server trusting loopback as its
-- proxy), so that no address limit stops it and every attempt would cost
-- a password hash. The account is BENCH_EMAIL.

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"' .. os.getenv("BENCH_EMAIL") .. '","password":"not the password"}'

math.randomseed(os.time())

function request()
  local address = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  wrk.headers["X-Forwarded-For"] = address
  return wrk.format()
end
