-- Shared by the staff load scripts (loaded with dofile by each of them).
--
-- Every wrk thread gets its own number in setup(), so the scripts that work on seeded staff
-- members can give each thread a disjoint share of them. done() prints one line that
-- bench/staff_load.py parses: RESULT_MARKER followed by a JSON object.

local RESULT_MARKER = "ROTA_BENCH_RESULT "

local threads_set_up = 0

function setup(thread)
  thread:set("thread_index", threads_set_up)
  threads_set_up = threads_set_up + 1
end

-- The staff members this thread works on: every thread_count-th line of the staff file
-- ("<id> <revision>" per line), starting at this thread's index.
function staff_of_this_thread(staff_file, thread_count)
  local members = {}
  local line_number = 0
  for line in io.lines(staff_file) do
    local id, revision = line:match("^(%S+) (%d+)$")
    if id and line_number % thread_count == thread_index then
      members[#members + 1] = { id = id, revision = revision }
    end
    line_number = line_number + 1
  end
  if #members == 0 then
    error("thread " .. thread_index .. " got no staff members from " .. staff_file)
  end
  return members
end

-- Arguments after wrk's "--": the staff file and the number of wrk threads.
function staff_from_args(args)
  return staff_of_this_thread(args[1], tonumber(args[2]))
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(RESULT_MARKER, string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,'
      .. '"status_errors":%d,"socket_errors":%d}\n',
    summary.requests,
    summary.duration,
    latency:percentile(50),
    latency:percentile(99),
    errors.status,
    errors.connect + errors.read + errors.write + errors.timeout
  ))
end
