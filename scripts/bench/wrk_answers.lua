-- wrk script: scripts/bench/wrk_submit.lua's submission (four fields, a
-- real-looking name and a PDF, a unique email per request) answering the
-- eight questions of scripts/bench/form8.json as well.
dofile("scripts/bench/wrk_submit.lua")
EXTRA = part("matter_type", "visa") .. part("q.employer", "Analytical Engines Ltd") ..
  part("q.title", "Senior mathematician") ..
  part("q.story", "I was offered a position in Boston starting next spring.\r\nMy current visa expires in May.") ..
  part("q.kind", "h1b") .. part("q.offer", "yes") .. part("q.start", "2027-03-01") ..
  part("q.phone", "+44 20 7946 0958") .. part("q.from", "GB")
