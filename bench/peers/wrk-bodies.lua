-- bench/peers/wrk-bodies.lua — wrk script: POSTs the request bodies of the
-- file named by $WRK_BODIES (one JSON body per line) to $WRK_PATH, cycling
-- through them; each wrk thread starts at a different offset.
local bodies = {}
local counter = 0

function init(args)
  for line in io.lines(os.getenv("WRK_BODIES")) do bodies[#bodies + 1] = line end
  counter = math.random(#bodies)
end

function request()
  counter = counter % #bodies + 1
  return wrk.format("POST", os.getenv("WRK_PATH"), { ["Content-Type"] = "application/json" }, bodies[counter])
end
