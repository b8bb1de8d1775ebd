package redisstore

import "github.com/redis/go-redis/v9"

// takeScript decides every policy of one key atomically with the server's
// clock, in microseconds, in as few commands as possible: TIME, one GET
// and, when admitted, one SET (plus the sorted-set commands of sliding
// windows).
//
// KEYS[1]        string: the GCRA theoretical arrival times, in policy
//
//	order, then a counter for unique sorted-set members, joined by " "
//
// KEYS[2...]     one sorted set per sliding-window policy, in policy order
// ARGV[1]        cost (0 = peek)
// ARGV[2]        number of policies
// ARGV[3+4(i-1)...] per policy: algorithm (0 GCRA, 1 sliding window),
//
//	limit, window (µs), burst
//
// Returns {allowed, then per policy: allowed, remaining, reset µs, retry µs,
// remaining and reset µs before any charge}.
var takeScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local cost = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local state = {}
local v = redis.call('GET', KEYS[1])
if v then
  for f in string.gmatch(v, '%S+') do state[#state + 1] = tonumber(f) end
end
local allowed = 1
local out = {0}
local newstate = {}
local ng, ns = 0, 0
local zs = {}
for i = 1, n do
  local b = 3 + (i - 1) * 4
  local alg, lim, win, burst = tonumber(ARGV[b]), tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3])
  local ok, rem, reset, retry, prerem, prereset
  if alg == 0 then
    ng = ng + 1
    local T = win / lim
    local tau = burst * T
    local eps = math.min(1, T / 100) -- tolerance for floating-point rounding, µs
    local d = (state[ng] or 0) - now
    if d < 0 then d = 0 end
    prerem, prereset = math.floor((tau - d + eps) / T), d
    newstate[ng] = now + d
    if cost == 0 then
      rem, reset = prerem, d
      ok = rem >= 1
      retry = 0
      if not ok then retry = d + T - tau end
    elseif cost > burst then
      ok, rem, reset, retry = false, prerem, d, win
    else
      local nd = d + cost * T
      if nd - tau > eps then
        ok, rem, reset, retry = false, prerem, d, nd - tau
      else
        ok, rem, reset, retry = true, math.floor((tau - nd + eps) / T), nd, 0
        newstate[ng] = now + nd
      end
    end
  else
    ns = ns + 1
    local z = KEYS[1 + ns]
    zs[ns] = {z, win}
    redis.call('ZREMRANGEBYSCORE', z, '-inf', now - win)
    local free = lim - redis.call('ZCARD', z)
    local c = cost
    if c == 0 then c = 1 end
    prerem, prereset = free, 0
    if free < lim then
      local last = redis.call('ZRANGE', z, -1, -1, 'WITHSCORES')
      prereset = tonumber(last[2]) + win - now
    end
    if c > lim then
      ok, rem, reset, retry = false, free, prereset, win
    elseif free >= c then
      ok, rem, reset, retry = true, free - cost, prereset, 0
      if cost > 0 then reset = win end
    else
      local e = redis.call('ZRANGE', z, c - free - 1, c - free - 1, 'WITHSCORES')
      ok, rem, reset, retry = false, free, prereset, tonumber(e[2]) + win - now
    end
  end
  if not ok then allowed = 0 end
  out[#out + 1] = ok and 1 or 0
  out[#out + 1] = rem
  out[#out + 1] = math.ceil(reset)
  out[#out + 1] = math.ceil(retry)
  out[#out + 1] = prerem
  out[#out + 1] = math.ceil(prereset)
end
out[1] = allowed
if allowed == 1 and cost > 0 then
  local ttl = 0
  local parts = {}
  for i = 1, ng do
    parts[i] = string.format('%.17g', newstate[i])
    if newstate[i] - now > ttl then ttl = newstate[i] - now end
  end
  local seq = (state[ng + 1] or 0)
  if ns > 0 then
    seq = seq + 1
    local stamp = string.format('%.0f', now)
    for k = 1, ns do
      local z, win = zs[k][1], zs[k][2]
      local j = 1
      while j <= cost do
        local args = {}
        for m = j, math.min(cost, j + 999) do
          args[#args + 1] = now
          args[#args + 1] = stamp .. ':' .. seq .. ':' .. m
        end
        redis.call('ZADD', z, unpack(args))
        j = j + 1000
      end
      redis.call('PEXPIRE', z, math.ceil(win / 1000) + 1000)
      if win > ttl then ttl = win end
    end
  end
  if ns > 0 then parts[ng + 1] = string.format('%.0f', seq) end
  redis.call('SET', KEYS[1], table.concat(parts, ' '), 'PX', math.ceil(ttl / 1000) + 1000)
end
return out
`)

// gcraScript is takeScript for the common case of a single GCRA policy,
// reading the same state, with as little work on the server as possible: a
// few arguments, and one integer per decision for a reply, from which
// [encoded.gcraState] derives the rest. It decides one or more costs for
// the same key in order, at the same instant, exactly as that many calls
// made back to back would, so concurrent decisions on a hot key can share
// one call.
//
// KEYS[1]     the state string, as in takeScript
// ARGV[1]     emission interval T, µs (window / limit)
// ARGV[2]     burst tolerance tau, µs (burst × T)
// ARGV[3...]  the costs, in order (0 = peek)
//
// Each reply is the arrival-time offset in ns, rounded up: after the charge
// when the cost was admitted (>= 1), or before it as -1 - offset when it
// was not or was a peek (<= -2). One cost gets an integer; several, an
// array.
var gcraScript = redis.NewScript(`
local t = redis.call('TIME')
local now = t[1] * 1000000 + t[2]
local T, tau = tonumber(ARGV[1]), tonumber(ARGV[2])
local d = 0
local v = redis.call('GET', KEYS[1])
if v then
  d = (tonumber(v) or tonumber(string.match(v, '^%S+'))) - now
  if d < 0 then d = 0 end
end
local e = 1 -- tolerance for floating-point rounding, µs
if T < 100 then e = T / 100 end
local lim = tau + e
local out = {}
local charged = false
for i = 3, #ARGV do
  local cost = tonumber(ARGV[i])
  local nd = d + cost * T
  if cost == 0 or nd > lim then
    out[i - 2] = -2 - d * 1000 -- Redis truncates toward 0: -1 - ceil
  else
    out[i - 2] = nd * 1000 + 1
    d, charged = nd, true
  end
end
if charged then redis.call('SET', KEYS[1], now + d, 'PX', math.ceil(d / 1000) + 1000) end
if #ARGV == 3 then return out[1] end
return out
`)

// resetScript deletes a key's state and sorted sets.
var resetScript = redis.NewScript(`
return redis.call('DEL', unpack(KEYS))
`)
