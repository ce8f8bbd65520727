"""The frontier's Lua scripts: every change to a crawl's keys is one atomic script (schema: status.py).

Times come from the server's ``TIME`` (ms), so deadlines and host spacing do not
depend on the workers' clocks. Each script is safe to run again after a lost
reply (a retried push finds its fingerprint seen, a retried ack finds no lease).
"""

from __future__ import annotations

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: seen, queue, stats, queued_by_host. ARGV: fingerprint, entry, host, dont_filter ("1"/"0").
PUSH = """
if ARGV[4] == '1' or redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[2])
  redis.call('HINCRBY', KEYS[4], ARGV[3], 1)
  redis.call('HINCRBY', KEYS[3], 'pushed', 1)
  return 1
end
redis.call('HINCRBY', KEYS[3], 'duplicates', 1)
return 0
"""

# KEYS: seen, stats. ARGV: fingerprint. 1 when the fingerprint is new (and now seen), else 0.
SEE = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then return 1 end
redis.call('HINCRBY', KEYS[2], 'duplicates', 1)
return 0
"""

# KEYS: seeded, seen, queue, stats, queued_by_host, seeds. ARGV: worker, then fingerprint, entry, host, URL per
# request. -1 when another worker seeded the crawl already, else how many start requests went in.
SEED = _NOW + """
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local pushed = 0
for i = 2, #ARGV, 4 do
  if redis.call('SADD', KEYS[2], ARGV[i]) == 1 then
    redis.call('RPUSH', KEYS[3], ARGV[i + 1])
    redis.call('HINCRBY', KEYS[5], ARGV[i + 2], 1)
    redis.call('HSETNX', KEYS[6], ARGV[i + 3], '')
    pushed = pushed + 1
  end
end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. now)
redis.call('HINCRBY', KEYS[4], 'start_urls', pushed)
redis.call('HINCRBY', KEYS[4], 'pushed', pushed)
return pushed
"""

# KEYS: seeds. ARGV: start URL, "ok" or why it failed. A seed fetched anywhere stays fetched; a URL that is
# not a start URL of the crawl is left out. 1 when recorded.
SEED_OUTCOME = """
local now = redis.call('HGET', KEYS[1], ARGV[1])
if not now or now == 'ok' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""

# KEYS: queue, leases, lease_deadline, lease_worker, seq, stats, queued_by_host.
# ARGV: how many, worker, lease timeout (ms). Returns {lease id, entry, lease id, entry, ...}.
TAKE = _NOW + """
local out = {}
for i = 1, tonumber(ARGV[1]) do
  local entry = redis.call('LPOP', KEYS[1])
  if not entry then break end
  local id = redis.call('INCR', KEYS[5])
  redis.call('HSET', KEYS[2], id, entry)
  redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), id)
  redis.call('HSET', KEYS[4], id, ARGV[2])
  local sp = string.find(entry, ' ', 1, true)
  redis.call('HINCRBY', KEYS[7], string.sub(entry, 1, sp - 1), -1)
  out[#out + 1] = tostring(id)
  out[#out + 1] = entry
end
if #out > 0 then redis.call('HINCRBY', KEYS[6], 'leased', #out / 2) end
return out
"""

# KEYS: leases, lease_deadline, lease_worker, stats, done_by_host, done_by_worker.
# ARGV: lease id, host, worker. 1 when the lease was this worker's and is now done, else 0.
ACK = """
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[3] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HINCRBY', KEYS[4], 'done', 1)
redis.call('HINCRBY', KEYS[5], ARGV[2], 1)
redis.call('HINCRBY', KEYS[6], ARGV[3], 1)
return 1
"""

# KEYS: leases, lease_deadline, lease_worker, queue, stats, queued_by_host.
# ARGV: lease id, worker. Gives a lease this worker cannot finish back to the front of the queue.
GIVE_BACK = """
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
local entry = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('LPUSH', KEYS[4], entry)
local sp = string.find(entry, ' ', 1, true)
redis.call('HINCRBY', KEYS[6], string.sub(entry, 1, sp - 1), 1)
redis.call('HINCRBY', KEYS[5], 'given_back', 1)
return 1
"""

# KEYS: lease_deadline, lease_worker, heartbeat, workers. ARGV: worker, lease timeout (ms), worker info
# (JSON), then this worker's lease ids. Renews them; returns the ids that are no longer this worker's.
RENEW = _NOW + """
redis.call('ZADD', KEYS[3], now, ARGV[1])
redis.call('HSETNX', KEYS[4], ARGV[1], ARGV[3])
local lost = {}
for i = 4, #ARGV do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[1] then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[i])
  else
    lost[#lost + 1] = ARGV[i]
  end
end
return lost
"""

# KEYS: leases, lease_deadline, lease_worker, queue, stats, queued_by_host. ARGV: at most how many.
# Leases past their deadline go back to the front of the queue; returns {worker, worker, ...} per lease.
REAP = _NOW + """
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
local out = {}
for _, id in ipairs(ids) do
  local entry = redis.call('HGET', KEYS[1], id)
  local worker = redis.call('HGET', KEYS[3], id) or '?'
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[1], id)
  redis.call('HDEL', KEYS[3], id)
  if entry then
    redis.call('LPUSH', KEYS[4], entry)
    local sp = string.find(entry, ' ', 1, true)
    redis.call('HINCRBY', KEYS[6], string.sub(entry, 1, sp - 1), 1)
    redis.call('HINCRBY', KEYS[5], 'requeued', 1)
    out[#out + 1] = worker
  end
end
return out
"""

# KEYS: queue, leases, idle_since. -1 while there is work; else ms since the frontier became idle.
IDLE = _NOW + """
if redis.call('LLEN', KEYS[1]) > 0 or redis.call('HLEN', KEYS[2]) > 0 then
  redis.call('DEL', KEYS[3])
  return -1
end
local since = redis.call('GET', KEYS[3])
if not since then
  redis.call('SET', KEYS[3], now)
  return 0
end
return now - tonumber(since)
"""

# KEYS: slots:<host>, next:<host>. ARGV: token, concurrency, delay (ms), slot lifetime (ms).
# {1, now} when the slot is granted; else {0, ms to wait} (-1: until a request to the host is in).
# With a delay, one request to the host at a time for the cluster, and the next one starts DOWNLOAD_DELAY
# after the previous one's response (or failure) came in (RELEASE_SLOT): the server saw the previous
# request before it answered, so by its own clock the starts are at least DOWNLOAD_DELAY apart, whatever
# the way there took. Without a delay, at most ``concurrency`` at a time.
ACQUIRE_SLOT = _NOW + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local busy = redis.call('ZCARD', KEYS[1])
local limit = tonumber(ARGV[2])
if tonumber(ARGV[3]) > 0 then limit = 1 end
if busy >= limit then return {0, -1} end
local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < nxt then return {0, nxt - now} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
return {1, now}
"""

# KEYS: slots:<host> of each token. ARGV: slot lifetime (ms), then the tokens, one per key: still in flight.
RENEW_SLOTS = _NOW + """
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], 'XX', now + tonumber(ARGV[1]), ARGV[i + 1])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[1]))
end
return #KEYS
"""

# KEYS: slots:<host>, next:<host>. ARGV: token, delay (ms). The request's response (or failure) is in:
# its slot is free, and with a delay the host's next start is DOWNLOAD_DELAY from now.
RELEASE_SLOT = _NOW + """
local delay = tonumber(ARGV[2] or '0')
if delay > 0 then redis.call('SET', KEYS[2], now + delay, 'PX', delay + 60000) end
return redis.call('ZREM', KEYS[1], ARGV[1])
"""
