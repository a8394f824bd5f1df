/**
 * Admits a new session within the tenant's concurrent-session limits, atomically (one Lua script, so parallel
 * logins cannot both take the last slot).
 *
 * Every session's digest is a member of its user's set and its tenant's set (sorted sets, score = the
 * session's absolute end in unix seconds). Members past their end are dropped by score on every admission; a
 * member whose session key is gone earlier (idle timeout, logout that crashed half-way) is found by looking
 * its key up, which is done only when the set has reached its limit.
 *
 * KEYS: 1 the new session's key, 2 the user's set, 3 the tenant's set.
 * ARGV: 1 the new session's digest, 2 its JSON, 3 its idle timeout (s), 4 its absolute end, 5 now (unix s, fractional),
 *       6 max per user (0 = none), 7 max per tenant (0 = none), 8 `deny` | `evict_oldest`,
 *       9 the full key prefix of session keys (`<REDIS_PREFIX>sess:`; keys built here are not prefixed by the client).
 * Returns `{'admitted', <evicted digest>...}`, `{'user', <live count>}`, `{'tenant', <live count>}` or `{'collision'}`.
 *
 * Per-user eviction never frees a slot by ending another user's session: when the tenant would still be at its
 * limit after the user's own evictions, the login is refused and nothing is evicted.
 */
export const ADMIT_SESSION_LUA = `
local userSet, tenantSet = KEYS[2], KEYS[3]
local digest, now = ARGV[1], tonumber(ARGV[5])
local maxUser, maxTenant, mode, sessPrefix = tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8], ARGV[9]

redis.call('ZREMRANGEBYSCORE', userSet, '-inf', now)
redis.call('ZREMRANGEBYSCORE', tenantSet, '-inf', now)

-- Live members of a set, pruning those whose session key is gone when the set is at its limit.
-- A user's member is also its tenant's member: pruned from both.
local function live(set, limit, alsoFrom)
  local count = redis.call('ZCARD', set)
  if limit == 0 or count < limit then return count end
  for _, member in ipairs(redis.call('ZRANGE', set, 0, -1)) do
    if redis.call('EXISTS', sessPrefix .. member) == 0 then
      redis.call('ZREM', set, member)
      if alsoFrom then redis.call('ZREM', alsoFrom, member) end
      count = count - 1
    end
  end
  return count
end

local userCount = live(userSet, maxUser, tenantSet)
local tenantCount = live(tenantSet, maxTenant, nil)

local evict = 0
if maxUser > 0 and userCount >= maxUser then
  if mode ~= 'evict_oldest' then return {'user', userCount} end
  evict = userCount - maxUser + 1
end
if maxTenant > 0 and tenantCount - evict >= maxTenant then return {'tenant', tenantCount} end

if not redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3], 'NX') then return {'collision'} end

local result = {'admitted'}
if evict > 0 then
  for _, member in ipairs(redis.call('ZRANGE', userSet, 0, evict - 1)) do
    redis.call('DEL', sessPrefix .. member)
    redis.call('ZREM', userSet, member)
    redis.call('ZREM', tenantSet, member)
    result[#result + 1] = member
  end
end

redis.call('ZADD', userSet, ARGV[4], digest)
redis.call('ZADD', tenantSet, ARGV[4], digest)
-- A set lives as long as its longest-lived session.
for _, set in ipairs({userSet, tenantSet}) do
  local last = redis.call('ZRANGE', set, -1, -1, 'WITHSCORES')
  redis.call('EXPIREAT', set, math.ceil(tonumber(last[2])) + 1)
end
return result
`;
