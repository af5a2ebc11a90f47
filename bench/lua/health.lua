-- GET /health: the trivial endpoint every other result is compared with.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")

wrk.method = "GET"
wrk.path = "/health"
