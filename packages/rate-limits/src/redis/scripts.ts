/**
 * The Lua scripts gw runs in Redis: each is one atomic round trip over every key a request touches.
 * Values travel as strings: Redis turns a Lua number into an integer reply, which would cut a cost.
 */

/**
 * KEYS: the counters; ARGV: amount, then a limit per key, then a TTL (s) per key. Refused (first reply
 * "0") when any counter is at or over its limit, nothing added; otherwise every counter gets `amount`
 * (a new counter its TTL). Replies: allowed, then every counter's value.
 */
export const HIT = `
local n = #KEYS
local amount = ARGV[1]
local out = { '1' }
for i = 1, n do
  local v = redis.call('GET', KEYS[i]) or '0'
  out[i + 1] = v
  if tonumber(v) >= tonumber(ARGV[1 + i]) then out[1] = '0' end
end
if out[1] == '1' then
  for i = 1, n do
    out[i + 1] = redis.call('INCRBYFLOAT', KEYS[i], amount)
    if redis.call('TTL', KEYS[i]) < 0 then redis.call('EXPIRE', KEYS[i], ARGV[1 + n + i]) end
  end
end
return out
`;

/**
 * KEYS: the counters; ARGV: an amount and a TTL (s) per key. Adds each non-zero amount (a new counter
 * gets its TTL) and replies with every counter's value: reading is adding 0.
 */
export const ADD_GET = `
local out = {}
for i = 1, #KEYS do
  local amount = ARGV[2 * i - 1]
  if tonumber(amount) ~= 0 then
    out[i] = redis.call('INCRBYFLOAT', KEYS[i], amount)
    if redis.call('TTL', KEYS[i]) < 0 then redis.call('EXPIRE', KEYS[i], ARGV[2 * i]) end
  else
    out[i] = redis.call('GET', KEYS[i]) or '0'
  end
end
return out
`;
