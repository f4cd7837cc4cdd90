import { createHash } from 'node:crypto';

/**
 * The Lua scripts of RedisSpendStore. Redis runs a script alone, so each check-and-change below is atomic
 * across every API node. Layout per capped key K:
 *   H = <prefix>sp:k:K  hash: s settled, r reserved, o overdelivered, c latest cap, t retention (ms),
 *                       and `=<nonce>` -> amount for each open reservation on K
 *   X = <prefix>sp:x:K  sorted set: nonce of each open reservation, scored by its expiry (epoch ms)
 * and per reservation R = <prefix>sp:r:<nonce>  hash: a amount, e expiry, k keys (JSON), st state,
 * ch charged, ov overdelivered. The clock is Redis's TIME, so skew between API nodes does not matter.
 * Every key a script touches is passed in KEYS (the reservation id carries the capped keys).
 */

/** A script and its SHA-1, for EVALSHA. */
export interface SpendScript {
  readonly source: string;
  readonly sha: string;
}

const script = (body: string): SpendScript => {
  const source = PRELUDE + body;
  return { source, sha: createHash('sha1').update(source).digest('hex') };
};

// Amounts stay below 2^53, so Lua's doubles hold them exactly; string.format keeps them out of exponent
// notation when handed back to Redis.
const PRELUDE = `
local function num(x) return string.format('%.0f', x) end
local tm = redis.call('TIME')
local now = tonumber(tm[1]) * 1000 + math.floor(tonumber(tm[2]) / 1000)
-- Gives back what expired on one key. At most 1000 a call: what is left is still counted as reserved,
-- which only errs towards refusing, and goes at the next call.
local function sweep(h, x)
  local gone = redis.call('ZRANGEBYSCORE', x, '-inf', num(now), 'LIMIT', 0, 1000)
  if #gone == 0 then return end
  local total = 0
  local fields = {}
  for i, n in ipairs(gone) do
    fields[i] = '=' .. n
    local a = redis.call('HGET', h, fields[i])
    if a then total = total + tonumber(a) end
  end
  redis.call('ZREM', x, unpack(gone))
  redis.call('HDEL', h, unpack(fields))
  redis.call('HINCRBY', h, 'r', num(-total))
end
-- Takes one reservation off a key if it is still counted there.
local function detach(h, x, nonce)
  local a = redis.call('HGET', h, '=' .. nonce)
  if not a then return end
  redis.call('HDEL', h, '=' .. nonce)
  redis.call('ZREM', x, nonce)
  redis.call('HINCRBY', h, 'r', num(-tonumber(a)))
end
-- Keeps a key at least ms longer; never shortens, so a key outlives every open reservation on it.
local function keep(k, ms)
  if ms and redis.call('PTTL', k) < tonumber(ms) then redis.call('PEXPIRE', k, ms) end
end
local function keepKey(h, x)
  local t = redis.call('HGET', h, 't')
  keep(h, t)
  keep(x, t)
end
`;

// One reservation: R its hash, hx its capped keys' H and X, capsRetains the cap and retention of each
// capped key in turn, headroom the room each key must keep beyond it (not held), swept the keys already
// swept in this script. Answers {1, expiresAt} or {0, index of the full key, room}.
const RESERVE_ONE = `
local function reserveOne(R, hx, nonce, amountText, ttl, keysJson, retain, capsRetains, swept, headroom)
  local amount = tonumber(amountText)
  local need = amount + tonumber(headroom)
  local n = #hx / 2
  -- Every cap given is recorded, granted or not, so a lowered budget binds the settles still to come.
  for i = 1, n do
    local h, x = hx[2 * i - 1], hx[2 * i]
    if not swept[h] then
      sweep(h, x)
      swept[h] = true
    end
    redis.call('HSET', h, 'c', capsRetains[2 * i - 1], 't', capsRetains[2 * i])
    keepKey(h, x)
  end
  for i = 1, n do
    local v = redis.call('HMGET', hx[2 * i - 1], 's', 'r')
    local used = tonumber(v[1] or 0) + tonumber(v[2] or 0)
    local cap = tonumber(capsRetains[2 * i - 1])
    if used + need > cap then
      local room = cap - used
      if room < 0 then room = 0 end
      return {0, i, room}
    end
  end
  local e = now + tonumber(ttl)
  for i = 1, n do
    local h, x = hx[2 * i - 1], hx[2 * i]
    redis.call('HINCRBY', h, 'r', amountText)
    redis.call('HSET', h, '=' .. nonce, amountText)
    redis.call('ZADD', x, num(e), nonce)
    keep(x, capsRetains[2 * i])
  end
  redis.call('HSET', R, 'a', amountText, 'e', num(e), 'k', keysJson, 'st', 'open')
  redis.call('PEXPIRE', R, retain)
  return {1, e}
end
`;

/**
 * KEYS: R, then H and X per capped key. ARGV: nonce, amount, ttl ms, keys JSON, reservation retention ms,
 * headroom, then cap and retention per capped key. Answers {1, expiresAt} or {0, index of the full key,
 * room}.
 */
export const RESERVE = script(`${RESERVE_ONE}
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('spend reservation id taken') end
local hx, cr = {}, {}
for i = 2, #KEYS do hx[i - 1] = KEYS[i] end
for i = 7, #ARGV do cr[i - 6] = ARGV[i] end
return reserveOne(KEYS[1], hx, ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], cr, {}, ARGV[6])
`);

/**
 * Several reservations in one call, each as RESERVE, in order (a page's winners). KEYS: per reservation
 * R, then H and X per capped key. ARGV: per reservation nonce, amount, ttl ms, keys JSON, reservation
 * retention ms, number of capped keys, headroom, then cap and retention per capped key. Answers the RESERVE
 * answers one after the other, three values each ({1, expiresAt, 0} when granted).
 */
export const RESERVE_MANY = script(`${RESERVE_ONE}
local k, a = 1, 1
while a <= #ARGV do
  if redis.call('EXISTS', KEYS[k]) == 1 then return redis.error_reply('spend reservation id taken') end
  local n = tonumber(ARGV[a + 5])
  k = k + 1 + 2 * n
  a = a + 7 + 2 * n
end
local out = {}
local swept = {}
k, a = 1, 1
while a <= #ARGV do
  local n = tonumber(ARGV[a + 5])
  local hx, cr = {}, {}
  for i = 1, 2 * n do
    hx[i] = KEYS[k + i]
    cr[i] = ARGV[a + 6 + i]
  end
  local r = reserveOne(
    KEYS[k], hx, ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], cr, swept, ARGV[a + 6]
  )
  out[#out + 1] = r[1]
  out[#out + 1] = r[2]
  out[#out + 1] = r[3] or 0
  k = k + 1 + 2 * n
  a = a + 7 + 2 * n
end
return out
`);

// Settles, each exactly as if alone and one after the other, with each key's totals read once and written
// once: a batch's settles on one key become one sweep, one read, a few HDEL/ZREM calls and one write,
// whatever their number. settleOne(R, hx, nonce, actual, keysJson): R the reservation's hash, hx its
// capped keys' H and X (H1, X1, H2, X2, ...); then flush() writes what the settles changed.
const SETTLE_BATCH = `
local keyOrder, keyState = {}, {}
-- A key's totals, swept of expired reservations on first use in this script.
local function totals(h, x)
  local k = keyState[h]
  if k then return k end
  sweep(h, x)
  local v = redis.call('HMGET', h, 's', 'r', 'c', 'o')
  k = {
    h = h, x = x, s = tonumber(v[1] or 0), r = tonumber(v[2] or 0), c = v[3] and tonumber(v[3]) or nil,
    o = tonumber(v[4] or 0), exists = redis.call('EXISTS', h) == 1, fields = {}, nonces = {},
    dirty = false, keep = false,
  }
  keyState[h] = k
  keyOrder[#keyOrder + 1] = k
  return k
end
-- Charges actual to the keys ks if every one keeps settled + reserved <= cap (what the settle held is off
-- r already); else it is overdelivery, counted on them and free to the advertiser. Answers whether it was
-- charged.
local function charge(ks, actual)
  local fits = true
  for _, k in ipairs(ks) do
    if not k.c or k.s + k.r + actual > k.c then fits = false end
  end
  for _, k in ipairs(ks) do
    if k.exists then
      if fits then k.s = k.s + actual else k.o = k.o + actual end
      k.dirty = true
      k.keep = true
    end
  end
  return fits
end
local function settleOne(R, hx, nonce, actual, keysJson)
  local r = redis.call('HMGET', R, 'a', 'e', 'k', 'st', 'ch', 'ov')
  if not r[1] or r[3] ~= keysJson then return {'unknown', 0, 0, 0} end
  if actual > tonumber(r[1]) then return {'too-much', 0, 0, 0} end
  if r[4] ~= 'open' then return {r[4], 0, tonumber(r[5] or 0), tonumber(r[6] or 0)} end
  local n = #hx / 2
  local ks = {}
  -- The reservation comes off each key it is still counted on (an expired one was swept).
  for i = 1, n do
    local k = totals(hx[2 * i - 1], hx[2 * i])
    ks[i] = k
    local a = redis.call('HGET', k.h, '=' .. nonce)
    if a then
      k.r = k.r - tonumber(a)
      k.fields[#k.fields + 1] = '=' .. nonce
      k.nonces[#k.nonces + 1] = nonce
      k.dirty = true
    end
  end
  -- An open reservation's amount was held for it, so it fits unless the cap was lowered since; an expired
  -- one's went back to the budget.
  if charge(ks, actual) then
    redis.call('HSET', R, 'st', 'charged', 'ch', num(actual))
    return {'charged', 1, actual, 0}
  end
  redis.call('HSET', R, 'st', 'overdelivered', 'ov', num(actual))
  return {'overdelivered', 1, 0, actual}
end
-- Parts of one reservation (a block), each as if settled alone and one after the other: what the open,
-- unexpired block still holds of it, up to the part's share, comes off the hold, then the part is charged
-- if every key keeps settled + reserved <= cap, else it is overdelivery; recorded in R as p:<part>. The
-- parts are ARGV[a], ARGV[a + 3], ... (part id, actual, share each), m of them; their answers go to out.
-- R is read once and written once, and the hold comes off each key once, whatever m is.
local function settleParts(R, hx, nonce, keysJson, a, m, out)
  local fields = {'a', 'k', 'st'}
  for j = 0, m - 1 do fields[4 + j] = 'p:' .. ARGV[a + 3 * j] end
  local r = redis.call('HMGET', R, unpack(fields))
  if not r[1] or r[2] ~= keysJson then
    for _ = 1, m do
      out[#out + 1] = 'unknown'
      out[#out + 1] = 0
      out[#out + 1] = 0
      out[#out + 1] = 0
    end
    return
  end
  local n = #hx / 2
  local ks = {}
  for i = 1, n do ks[i] = totals(hx[2 * i - 1], hx[2 * i]) end
  -- Still counted on its keys (not swept as expired): what it holds is taken part by part.
  local holding = r[3] == 'open' and redis.call('HGET', ks[1].h, '=' .. nonce)
  local held = holding and tonumber(holding) or 0
  local taken, seen, writes = 0, {}, {}
  for j = 0, m - 1 do
    local part = ARGV[a + 3 * j]
    local rec = seen[part] or r[4 + j]
    if rec then
      local v = tonumber(string.sub(rec, 2))
      out[#out + 1] = string.sub(rec, 1, 1) == 'c' and 'charged' or 'overdelivered'
      out[#out + 1] = 0
      out[#out + 1] = string.sub(rec, 1, 1) == 'c' and v or 0
      out[#out + 1] = string.sub(rec, 1, 1) == 'c' and 0 or v
    else
      local actual = tonumber(ARGV[a + 3 * j + 1])
      local t = math.min(actual, tonumber(ARGV[a + 3 * j + 2]), held)
      if t > 0 then
        held = held - t
        taken = taken + t
        for i = 1, n do
          ks[i].r = ks[i].r - t
          ks[i].dirty = true
        end
      end
      local fits = charge(ks, actual)
      rec = (fits and 'c' or 'o') .. num(actual)
      seen[part] = rec
      writes[#writes + 1] = 'p:' .. part
      writes[#writes + 1] = rec
      out[#out + 1] = fits and 'charged' or 'overdelivered'
      out[#out + 1] = 1
      out[#out + 1] = fits and actual or 0
      out[#out + 1] = fits and 0 or actual
    end
  end
  if taken > 0 then
    local text = num(-taken)
    for i = 1, n do redis.call('HINCRBY', ks[i].h, '=' .. nonce, text) end
    redis.call('HINCRBY', R, 'a', text)
  end
  if #writes > 0 then redis.call('HSET', R, unpack(writes)) end
end
local function flush()
  for _, k in ipairs(keyOrder) do
    for i = 1, #k.fields, 500 do
      local j = math.min(i + 499, #k.fields)
      redis.call('HDEL', k.h, unpack(k.fields, i, j))
      redis.call('ZREM', k.x, unpack(k.nonces, i, j))
    end
    if k.dirty then redis.call('HSET', k.h, 's', num(k.s), 'r', num(k.r), 'o', num(k.o)) end
    if k.keep then keepKey(k.h, k.x) end
  end
end
`;

/**
 * KEYS: R, then H and X per capped key. ARGV: nonce, actual, keys JSON. Answers {state, settled now
 * (0|1), charged, overdelivered}; state 'too-much' when actual is above the amount reserved.
 */
export const SETTLE = script(`${SETTLE_BATCH}
local hx = {}
for i = 2, #KEYS do hx[i - 1] = KEYS[i] end
local r = settleOne(KEYS[1], hx, ARGV[1], tonumber(ARGV[2]), ARGV[3])
flush()
return r
`);

/**
 * Several settles in one call, each as SETTLE (or as parts of a reservation), in order. KEYS: per entry R,
 * then H and X per capped key. ARGV per entry: nonce, keys JSON, number of capped keys, number of parts m;
 * then, for a whole settle (m = 0), actual; else m times part id, actual, the part's share of the hold.
 * Answers the SETTLE answers one after the other (four values per settle or part).
 */
export const SETTLE_MANY = script(`${SETTLE_BATCH}
local out = {}
local k, a = 1, 1
while a <= #ARGV do
  local n = tonumber(ARGV[a + 2])
  local m = tonumber(ARGV[a + 3])
  local hx = {}
  for i = 1, 2 * n do hx[i] = KEYS[k + i] end
  if m == 0 then
    local r = settleOne(KEYS[k], hx, ARGV[a], tonumber(ARGV[a + 4]), ARGV[a + 1])
    for i = 1, 4 do out[#out + 1] = r[i] end
    a = a + 5
  else
    settleParts(KEYS[k], hx, ARGV[a], ARGV[a + 1], a + 4, m, out)
    a = a + 4 + 3 * m
  end
  k = k + 1 + 2 * n
end
flush()
return out
`);

/**
 * KEYS: R, then H and X per capped key. ARGV: nonce, amount, keys JSON. Gives back up to amount of an
 * open, unexpired reservation; answers the micro given back.
 */
export const GIVE_BACK = script(`
local nonce = ARGV[1]
local r = redis.call('HMGET', KEYS[1], 'k', 'st')
if not r[1] or r[1] ~= ARGV[3] or r[2] ~= 'open' then return 0 end
for i = 1, (#KEYS - 1) / 2 do sweep(KEYS[2 * i], KEYS[2 * i + 1]) end
local held = redis.call('HGET', KEYS[2], '=' .. nonce)
if not held then return 0 end
local given = math.min(tonumber(ARGV[2]), tonumber(held))
if given <= 0 then return 0 end
for i = 1, (#KEYS - 1) / 2 do
  redis.call('HINCRBY', KEYS[2 * i], '=' .. nonce, num(-given))
  redis.call('HINCRBY', KEYS[2 * i], 'r', num(-given))
end
redis.call('HINCRBY', KEYS[1], 'a', num(-given))
return given
`);

/** KEYS: R, then H and X per capped key. ARGV: nonce, keys JSON. Answers 1 when this call released it. */
export const RELEASE = script(`
local nonce = ARGV[1]
local r = redis.call('HMGET', KEYS[1], 'k', 'st')
if not r[1] or r[1] ~= ARGV[2] or r[2] ~= 'open' then return 0 end
for i = 1, (#KEYS - 1) / 2 do
  local h, x = KEYS[2 * i], KEYS[2 * i + 1]
  sweep(h, x)
  detach(h, x, nonce)
end
redis.call('HSET', KEYS[1], 'st', 'released')
return 1
`);

/** KEYS: H, X. Answers {settled, reserved, overdelivered, cap or ''} as text, expired reservations swept. */
export const SPENT = script(`
sweep(KEYS[1], KEYS[2])
local v = redis.call('HMGET', KEYS[1], 's', 'r', 'o', 'c')
return {v[1] or '0', v[2] or '0', v[3] or '0', v[4] or ''}
`);

/**
 * KEYS: H, X. ARGV: settled, retention ms (for a key without one). Raises settled to at least the value
 * given, never lowers it; answers settled after.
 */
export const RESTORE = script(`
local v = tonumber(ARGV[1])
if not redis.call('HGET', KEYS[1], 't') then redis.call('HSET', KEYS[1], 't', ARGV[2]) end
local s = tonumber(redis.call('HGET', KEYS[1], 's') or '0')
if v > s then
  redis.call('HSET', KEYS[1], 's', ARGV[1])
  s = v
end
keepKey(KEYS[1], KEYS[2])
return num(s)
`);
