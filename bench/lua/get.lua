-- GET /bookings/v1/staff-members/{id}, cycling over this thread's share of the seeded ids.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")

local members
local next_index = 0

function init(args)
  members = staff_from_args(args)
end

function request()
  next_index = next_index % #members + 1
  return wrk.format("GET", "/bookings/v1/staff-members/" .. members[next_index].id)
end
