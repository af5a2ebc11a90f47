-- POST /bookings/v1/staff-members with a new name, email and phone each time.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")

local created = 0

function request()
  created = created + 1
  local body = string.format(
    '{"staffMember":{"name":"Load %d-%d","email":"load%d.%d@example.com","phone":"+1 555 %04d"}}',
    thread_index, created, thread_index, created, created % 10000
  )
  return wrk.format("POST", "/bookings/v1/staff-members", nil, body)
end
