-- PATCH /bookings/v1/staff-members/{id}: renames this thread's staff members in turn.
--
-- A PATCH must carry the staff member's current revision (else 409), so each thread owns its
-- own staff members and learns each new revision from the response. Run with one connection
-- per thread (-t N -c N) so that a thread's requests and responses alternate and `current` is
-- always the staff member the response belongs to.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")

local members
local next_index = 0
local renames = 0
local current

function init(args)
  members = staff_from_args(args)
end

function request()
  next_index = next_index % #members + 1
  renames = renames + 1
  current = members[next_index]
  local body = string.format(
    '{"staffMember":{"id":"%s","name":"Renamed %d-%d","revision":"%s"}}',
    current.id, thread_index, renames, current.revision
  )
  return wrk.format("PATCH", "/bookings/v1/staff-members/" .. current.id, nil, body)
end

function response(status, headers, body)
  -- A 409 names the current revision, so one conflict does not turn into a run of them;
  -- it is still counted as a failed request.
  local revision = body:match('"revision":"(%d+)"') or body:match('"currentRevision":"(%d+)"')
  if current and revision then
    current.revision = revision
  end
end
