package redisstore

import "github.com/redis/go-redis/v9"

// takeScript decides every policy of one key atomically with the server's
// clock, in microseconds.
//
// KEYS[1]       hash: one field per GCRA policy name (its theoretical
//
//	arrival time) and "#seq" (a counter for unique members)
//
// KEYS[1+i]     sorted set of admission times of sliding policy i
// ARGV[1]       cost (0 = peek)
// ARGV[2]       number of policies
// ARGV[3+5(i-1)...] per policy: algorithm (0 GCRA, 1 sliding), limit,
//
//	window (µs), burst, name
//
// Returns {allowed, then per policy: allowed, remaining, reset µs, retry µs,
// remaining and reset µs before any charge}.
var takeScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local cost = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local h = KEYS[1]
local eps = 1
local allowed = 1
local out = {0}
local alg, lim, win, burst, name, charge = {}, {}, {}, {}, {}, {}
for i = 1, n do
  local b = 3 + (i - 1) * 5
  alg[i] = tonumber(ARGV[b]); lim[i] = tonumber(ARGV[b + 1]); win[i] = tonumber(ARGV[b + 2])
  burst[i] = tonumber(ARGV[b + 3]); name[i] = ARGV[b + 4]
  local ok, rem, reset, retry, prerem, prereset
  if alg[i] == 0 then
    local T = win[i] / lim[i]
    local tau = burst[i] * T
    local v = redis.call('HGET', h, name[i])
    local d = 0
    if v then d = tonumber(v) - now end
    if d < 0 then d = 0 end
    prerem = math.floor((tau - d) / T + eps / T)
    prereset = d
    if cost == 0 then
      rem, reset = prerem, d
      ok = rem >= 1
      retry = 0
      if not ok then retry = d + T - tau end
    elseif cost > burst[i] then
      ok, rem, reset, retry = false, prerem, d, win[i]
    else
      local nd = d + cost * T
      if nd - tau > eps then
        ok, rem, reset, retry = false, prerem, d, nd - tau
      else
        ok, rem, reset, retry = true, math.floor((tau - nd) / T + eps / T), nd, 0
        charge[i] = now + nd
      end
    end
  else
    local z = KEYS[1 + i]
    redis.call('ZREMRANGEBYSCORE', z, '-inf', now - win[i])
    local free = lim[i] - redis.call('ZCARD', z)
    local c = cost
    if c == 0 then c = 1 end
    prerem, prereset = free, 0
    if free < lim[i] then
      local last = redis.call('ZRANGE', z, -1, -1, 'WITHSCORES')
      prereset = tonumber(last[2]) + win[i] - now
    end
    if c > lim[i] then
      ok, rem, reset, retry = false, free, prereset, win[i]
    elseif free >= c then
      ok, rem, reset, retry = true, free - cost, prereset, 0
      if cost > 0 then reset = win[i]; charge[i] = true end
    else
      local e = redis.call('ZRANGE', z, c - free - 1, c - free - 1, 'WITHSCORES')
      ok, rem, reset, retry = false, free, prereset, tonumber(e[2]) + win[i] - now
    end
  end
  if not ok then allowed = 0 end
  out[#out + 1] = ok and 1 or 0
  out[#out + 1] = rem
  out[#out + 1] = math.ceil(reset)
  out[#out + 1] = math.ceil(retry)
  charge[i] = charge[i] or false
  out[#out + 1] = prerem
  out[#out + 1] = math.ceil(prereset)
end
out[1] = allowed
if allowed == 1 and cost > 0 then
  local ttl = 0
  local seq = nil
  for i = 1, n do
    if alg[i] == 0 then
      redis.call('HSET', h, name[i], string.format('%.17g', charge[i]))
      if charge[i] - now > ttl then ttl = charge[i] - now end
    else
      local z = KEYS[1 + i]
      if not seq then seq = redis.call('HINCRBY', h, '#seq', 1) end
      local stamp = string.format('%.0f', now)
      local j = 1
      while j <= cost do
        local args = {}
        for k = j, math.min(cost, j + 999) do
          args[#args + 1] = now
          args[#args + 1] = stamp .. ':' .. seq .. ':' .. k
        end
        redis.call('ZADD', z, unpack(args))
        j = j + 1000
      end
      redis.call('PEXPIRE', z, math.ceil(win[i] / 1000) + 1000)
      if win[i] > ttl then ttl = win[i] end
    end
  end
  redis.call('PEXPIRE', h, math.ceil(ttl / 1000) + 1000)
end
return out
`)

// resetScript deletes a key's hash and sorted sets.
var resetScript = redis.NewScript(`
return redis.call('DEL', unpack(KEYS))
`)
