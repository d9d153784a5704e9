//! The Lua scripts of the Redis store. Each runs atomically in Redis: a state change and the
//! frames it causes (`SPUBLISH` to the visitor's agent channel) happen in one step, so every node
//! sees them in one order. Frames are serialized by the caller (protocol types) and passed in.
//!
//! Keys of visitor V (tag `{g:v}`): `pv:{tag}:s` hash (present, presence, pver, ts, vis, focus,
//! absent, seq), `pv:{tag}:k` sorted set of socket refs (`node#conn`) by activity, `pv:{tag}:h`
//! list of held signals (`expiry_ms|frame`). `pgz:G` sorted set (scores 0, by id) of present
//! visitor ids of group G.
//! `pnode:N:socks` set of `group|visitor|ref` of node N's sockets (to reap a dead node).
//! `pv:{tag}:a` hash node → agents watching V there (the agents-per-visitor limit over the
//! cluster), `pnode:N:agents` set of the `pv:{tag}:a` where node N has an entry. `pabsent` sorted
//! set of pending absence checks (see [`absence_tick`]).
//! Scripts touch keys of several slots: the store targets one Redis primary, not Redis Cluster.

/// Milliseconds from Redis' own clock, so every node agrees on time.
const NOW: &str = "local function now() local t = redis.call('TIME') return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end\n";

fn with_now(body: &str) -> String {
    format!("{NOW}{body}")
}

/// KEYS s k h pg ns; ARGV ref vid member maxsocks socktrue conntrue chan.
/// Returns {-1} when the visitor has too many sockets, else {0, previous focus or '', held…}.
pub fn open() -> String {
    with_now(
        r#"
local s, k, h, pg, ns = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local ref, vid, member, chan = ARGV[1], ARGV[2], ARGV[3], ARGV[7]
local n = redis.call('ZCARD', k)
local known = redis.call('ZSCORE', k, ref)
if not known and n >= tonumber(ARGV[4]) then return {-1} end
local seq = redis.call('HINCRBY', s, 'seq', 1)
redis.call('ZADD', k, seq, ref)
redis.call('SADD', ns, member)
local prev = redis.call('HGET', s, 'focus')
redis.call('HSET', s, 'focus', ref)
if n == 0 then
  redis.call('HDEL', s, 'absent')
  redis.call('SPUBLISH', chan, ARGV[5])
  if redis.call('HGET', s, 'present') ~= '1' then
    redis.call('HSET', s, 'present', '1', 'ts', now())
    redis.call('ZADD', pg, 0, vid)
    redis.call('SPUBLISH', chan, ARGV[6])
  end
end
local out = {0, prev or ''}
local t = now()
for _, v in ipairs(redis.call('LRANGE', h, 0, -1)) do
  local bar = string.find(v, '|', 1, true)
  if bar and tonumber(string.sub(v, 1, bar - 1)) >= t then out[#out + 1] = string.sub(v, bar + 1) end
end
redis.call('DEL', h)
return out
"#,
    )
}

/// KEYS s k ns absent; ARGV ref member sockfalse chan first_check_ms group|visitor.
/// Returns {1, absent_ms} when this was the last socket, else {0, 0}. The absence checks are
/// recorded in `absent` in the same step, so they survive the node.
pub fn close() -> String {
    with_now(
        r#"
local s, k, ns = KEYS[1], KEYS[2], KEYS[3]
local ref = ARGV[1]
redis.call('SREM', ns, ARGV[2])
if redis.call('ZREM', k, ref) == 0 then return {0, 0} end
if redis.call('ZCARD', k) == 0 then
  local t = now()
  redis.call('HSET', s, 'absent', t)
  redis.call('HDEL', s, 'focus')
  redis.call('SPUBLISH', ARGV[4], ARGV[3])
  redis.call('ZADD', KEYS[4], t + tonumber(ARGV[5]), ARGV[6] .. '|' .. t)
  return {1, t}
end
if redis.call('HGET', s, 'focus') == ref then
  redis.call('HSET', s, 'focus', redis.call('ZREVRANGE', k, 0, 0)[1])
end
return {0, 0}
"#,
    )
}

/// KEYS s k h pg absent; ARGV absent_ms grace_ms hold_ms connfalse chan vid member.
/// Returns {2, presence json, ts} when this run ended an announced presence (the one run that
/// must emit `visitor.absent`), else 0 or 1.
/// After the grace period: `visitorconn false` if the visitor did not come back; after the hold
/// window: drop held signals; forget the visitor when nothing is left. The entry in `absent` is
/// moved to the next check's time, or removed once nothing is left to check (the visitor came
/// back, or both windows passed). Idempotent: several nodes may run it for one absence.
pub fn absence_tick() -> String {
    with_now(
        r#"
local s, k, h, pg = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local absent, grace, hold = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if redis.call('ZCARD', k) > 0 or redis.call('HGET', s, 'absent') ~= ARGV[1] then
  redis.call('ZREM', KEYS[5], ARGV[7])
  return 0
end
local since = now() - absent
local gone = nil
if redis.call('HGET', s, 'present') == '1' and since >= grace then
  local last = redis.call('HMGET', s, 'announced', 'presence', 'ts')
  if last[1] == '1' then gone = {2, last[2] or '{}', last[3] or '0'} end
  redis.call('HSET', s, 'present', '0')
  redis.call('HDEL', s, 'presence', 'pver', 'vis', 'announced')
  redis.call('ZREM', pg, ARGV[6])
  redis.call('SPUBLISH', ARGV[5], ARGV[4])
end
if since >= hold then redis.call('DEL', h) end
if redis.call('HGET', s, 'present') ~= '1' and redis.call('EXISTS', h) == 0 then redis.call('DEL', s) end
if since >= math.max(grace, hold) then
  redis.call('ZREM', KEYS[5], ARGV[7])
else
  redis.call('ZADD', KEYS[5], 'XX', absent + math.max(grace, hold), ARGV[7])
end
if gone then return gone end
return 1
"#,
    )
}

/// Shared tail of the update scripts: activity, focus, relay. Returns {0, previous focus or '',
/// first} where `first` is 1 when this update announced the visitor (its first presence data).
const TOUCH: &str = r#"
local seq = redis.call('HINCRBY', s, 'seq', 1)
redis.call('ZADD', k, seq, ref)
local prev = redis.call('HGET', s, 'focus')
redis.call('HSET', s, 'focus', ref)
redis.call('SPUBLISH', chan, frame)
if prev == ref then prev = '' end
return {0, prev or '', first}
"#;

/// KEYS s k; ARGV ref frame chan vis ('' to leave it).
/// Returns {-2} when the socket is not registered, else the TOUCH result.
pub fn event() -> String {
    format!(
        r#"
local s, k = KEYS[1], KEYS[2]
local ref, frame, chan = ARGV[1], ARGV[2], ARGV[3]
if not redis.call('ZSCORE', k, ref) then return {{-2}} end
if ARGV[4] ~= '' then redis.call('HSET', s, 'vis', ARGV[4]) end
local first = 0
{TOUCH}"#
    )
}

/// KEYS s k; ARGV ref frame chan expected_pver presence_json ts.
/// Compare-and-set of the merged presence: {-1} when another writer came first (retry).
pub fn presence() -> String {
    format!(
        r#"
local s, k = KEYS[1], KEYS[2]
local ref, frame, chan = ARGV[1], ARGV[2], ARGV[3]
if not redis.call('ZSCORE', k, ref) then return {{-2}} end
if (redis.call('HGET', s, 'pver') or '0') ~= ARGV[4] then return {{-1}} end
redis.call('HSET', s, 'presence', ARGV[5], 'pver', tonumber(ARGV[4]) + 1, 'ts', ARGV[6])
local first = redis.call('HSETNX', s, 'announced', '1')
{TOUCH}"#
    )
}

/// KEYS s k h; ARGV frame hold_ms maxheld.
/// {1, focus ref} deliver; {2} held; {3} not present.
pub fn signal() -> String {
    with_now(
        r#"
local s, k, h = KEYS[1], KEYS[2], KEYS[3]
if redis.call('ZCARD', k) > 0 then
  local f = redis.call('HGET', s, 'focus')
  if not f then f = redis.call('ZREVRANGE', k, 0, 0)[1] end
  return {1, f}
end
local absent = tonumber(redis.call('HGET', s, 'absent'))
local hold = tonumber(ARGV[2])
if absent and now() - absent <= hold then
  redis.call('RPUSH', h, (absent + hold) .. '|' .. ARGV[1])
  redis.call('LTRIM', h, -tonumber(ARGV[3]), -1)
  redis.call('PEXPIRE', h, hold + 1000)
  return {2}
end
return {3}
"#,
    )
}

/// KEYS pg; ARGV group after limit (`after` empty: from the start). Returns a flat list: the id
/// the next page starts after ('' on the last page), then vid, presence json, ts for each present
/// visitor of the page.
pub fn query() -> String {
    r#"
local limit = tonumber(ARGV[3])
local from = '-'
if ARGV[2] ~= '' then from = '(' .. ARGV[2] end
local ids = redis.call('ZRANGEBYLEX', KEYS[1], from, '+', 'LIMIT', 0, limit + 1)
local out = {''}
for i, vid in ipairs(ids) do
  if i > limit then out[1] = ids[limit] break end
  local s = 'pv:{' .. ARGV[1] .. ':' .. vid .. '}:s'
  local r = redis.call('HMGET', s, 'present', 'presence', 'ts')
  if r[1] == '1' then
    out[#out + 1] = vid
    out[#out + 1] = r[2] or '{}'
    out[#out + 1] = r[3] or '0'
  end
end
return out
"#
    .to_string()
}

/// KEYS absent; ARGV overdue_ms limit. The absence checks overdue by more than `overdue_ms`.
pub fn overdue() -> String {
    with_now(
        r#"
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now() - tonumber(ARGV[1]), 'LIMIT', 0, tonumber(ARGV[2]))
"#,
    )
}

/// KEYS a na; ARGV node max. Takes one of the visitor's `max` agent places (counted over every
/// node): {-1} when none is left, else {0}.
pub fn agent_take() -> String {
    r#"
local total = 0
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do total = total + tonumber(v) end
if total >= tonumber(ARGV[2]) then return {-1} end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('SADD', KEYS[2], KEYS[1])
return {0}
"#
    .to_owned()
}

/// KEYS a na; ARGV node. Gives an agent place back.
pub fn agent_give() -> String {
    r#"
if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('SREM', KEYS[2], KEYS[1])
end
return {0}
"#
    .to_owned()
}
