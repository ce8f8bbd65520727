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

# Per-host queues: ``<queue prefix><host>`` is a sorted set of "<seq> <entry>" (the sequence number keeps two
# equal entries apart), scored by priority (higher first), then by the order pushed; the hosts with queued
# requests are in ``hosts``, scored by when one was last taken (round robin). ``enqueue(hosts, prefix, host,
# entry, priority, seq key, host_cap key, cap)``: queued behind the host's requests of the same priority;
# ``requeue(hosts, prefix, entry, place)``: back where it was (a lease that ran out or was given back; its
# place, "<score> <seq>", is kept in ``lease_score`` while it is leased).
# Scores are written with %.0f: Lua's own number formatting would round them.
_QUEUE = """
local function enqueue(hosts, prefix, host, entry, priority, seq_key, cap_key, cap)
  local seq = redis.call('INCR', seq_key)
  local p = math.max(-4095, math.min(4095, math.floor(tonumber(priority))))
  redis.call('ZADD', prefix .. host, string.format('%.0f', -p * 1099511627776 + seq), seq .. ' ' .. entry)
  redis.call('ZADD', hosts, 'NX', 0, host)
  redis.call('HSET', cap_key, host, cap)
end
local function requeue(hosts, prefix, entry, place)
  local host = string.sub(entry, 1, string.find(entry, ' ', 1, true) - 1)
  local sp = string.find(place, ' ', 1, true)
  redis.call('ZADD', prefix .. host, string.sub(place, 1, sp - 1), string.sub(place, sp + 1) .. ' ' .. entry)
  redis.call('ZADD', hosts, 'NX', 0, host)
  return host
end
"""

# KEYS: seen, hosts, stats, queued_by_host, qseq, host_cap. ARGV: fingerprint, entry, host, dont_filter ("1"/"0"),
# priority, the host's lease cap, queue key prefix.
PUSH = _QUEUE + """
if ARGV[4] == '1' or redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  enqueue(KEYS[2], ARGV[7], ARGV[3], ARGV[2], ARGV[5], KEYS[5], KEYS[6], ARGV[6])
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

# KEYS: seeded, seen, hosts, stats, queued_by_host, seeds, qseq, host_cap. ARGV: worker, queue key prefix, then
# fingerprint, entry, host, URL, priority, the host's lease cap per request. -1 when another worker seeded the
# crawl already, else how many start requests went in.
SEED = _NOW + _QUEUE + """
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local pushed = 0
for i = 3, #ARGV, 6 do
  if redis.call('SADD', KEYS[2], ARGV[i]) == 1 then
    enqueue(KEYS[3], ARGV[2], ARGV[i + 2], ARGV[i + 1], ARGV[i + 4], KEYS[7], KEYS[8], ARGV[i + 5])
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

# Fairness between workers on one host. ``holders:<host>`` counts each worker's leases of the host;
# ``waiting:<host>`` holds the workers that asked for work with room to spare and got none of the host (at
# its cap, or its free leases held for others), scored by the order they began waiting in (``wait_seq``: never
# two at once); ``asking`` is when each worker last asked with room to spare. A waiter is fresh while it keeps
# asking (``stale`` ms at most since it last did); one that filled up with other hosts' requests, gave a lease
# back (stopping) or had its leases run out (dead) leaves ``asking`` at once, one that just stopped asking
# counts no more after ``stale`` ms: none holds a host back for long. While fresh waiters other than
# the caller could use a lease of the host (each holds fewer than its share, ceil(cap / the workers holding
# or waiting for the host)), the caller takes one only beyond those held for the waiters ahead of it (one
# each; all of them when it is not waiting itself), and only while it holds fewer than its share: the freed
# leases go round the workers in the order they began waiting, and none keeps them all by asking again first
# (the one that just finished a request). Without fresh waiters a host's cap is used by whoever asks.
_RELEASE = """
local function release(holders, worker)
  if redis.call('HINCRBY', holders, worker, -1) <= 0 then redis.call('HDEL', holders, worker) end
end
"""
_FAIR = """
local function may_take(asking, holders_key, waiting_key, worker, cap, taken, stale)
  if cap <= 0 then return true end
  if taken >= cap then return false end
  local waiters = redis.call('ZRANGE', waiting_key, 0, -1, 'WITHSCORES')
  if #waiters == 0 then return true end
  local held, n = {}, 0
  local holders = redis.call('HGETALL', holders_key)
  for i = 1, #holders, 2 do
    held[holders[i]] = tonumber(holders[i + 1])
    n = n + 1
  end
  local mine, fresh = nil, {}
  for i = 1, #waiters, 2 do
    local w, began = waiters[i], tonumber(waiters[i + 1])
    if w == worker then
      mine = began
    else
      local asked = redis.call('ZSCORE', asking, w)
      if asked and tonumber(asked) >= stale then
        fresh[#fresh + 1] = {w, began}
        if not held[w] then n = n + 1 end
      else
        redis.call('ZREM', waiting_key, w)  -- stopped asking: dead, stopping, or busy with other hosts
      end
    end
  end
  if #fresh == 0 then return true end
  if not held[worker] then n = n + 1 end
  local share = math.ceil(cap / n)
  local eligible, ahead = 0, 0
  for _, f in ipairs(fresh) do
    if (held[f[1]] or 0) < share then
      eligible = eligible + 1
      if mine == nil or f[2] < mine then ahead = ahead + 1 end
    end
  end
  if eligible == 0 then return true end
  return cap - taken > ahead and (held[worker] or 0) < share
end
"""

# KEYS: hosts, leases, lease_deadline, lease_worker, seq, stats, queued_by_host, taken_by_host, host_cap,
# lease_score, asking, wait_seq, hosts_cursor. ARGV: how many, worker, lease timeout (ms), queue key prefix,
# holders key prefix, waiting key prefix, stale (ms). Returns {hosts the caller now waits for, lease id, entry,
# lease id, entry, ...}.
# One request per host in turn (the host taken from longest ago first), each host's best first, and none of a
# host that has as many leases out as its cap (a host held back by its DOWNLOAD_DELAY: 2, one in flight and
# one waiting), so such a host never fills a worker's CONCURRENT_REQUESTS while other hosts wait; a host's
# leases shared between the workers that want them (_FAIR).
TAKE = _NOW + _QUEUE + _FAIR + """
local out = {}
local want = tonumber(ARGV[1])
local worker, hp, wp = ARGV[2], ARGV[5], ARGV[6]
local stale = now - tonumber(ARGV[7])
-- The round's first 500 hosts, and 500 more from a cursor that moves on by 500 each call: with more hosts
-- than that, every one is looked at in turn, even while the first thousand are all at their caps.
local hosts = redis.call('ZRANGE', KEYS[1], 0, 499)
local total = redis.call('ZCARD', KEYS[1])
if total > 500 then
  local from = tonumber(redis.call('GET', KEYS[13]) or '500')
  if from < 500 or from >= total then from = 500 end
  redis.call('SET', KEYS[13], from + 500)
  for _, host in ipairs(redis.call('ZRANGE', KEYS[1], from, from + 499)) do hosts[#hosts + 1] = host end
end
local open, refused = {}, {}
for i, host in ipairs(hosts) do open[i] = true end
local progress = true
while #out < 2 * want and progress do
  progress = false
  for i, host in ipairs(hosts) do
    if #out >= 2 * want then break end
    if open[i] then
      local cap = tonumber(redis.call('HGET', KEYS[9], host) or '0')
      local taken = tonumber(redis.call('HGET', KEYS[8], host) or '0')
      local popped = {}
      local allowed = may_take(KEYS[11], hp .. host, wp .. host, worker, cap, taken, stale)
      if allowed then popped = redis.call('ZPOPMIN', ARGV[4] .. host) end
      if #popped == 0 then
        open[i] = false
        if redis.call('EXISTS', ARGV[4] .. host) == 0 then
          redis.call('ZREM', KEYS[1], host)
          redis.call('DEL', wp .. host)
        elseif not allowed then
          refused[host] = true
        end
      else
        local member, score = popped[1], popped[2]
        local sp = string.find(member, ' ', 1, true)
        local entry = string.sub(member, sp + 1)
        local id = redis.call('INCR', KEYS[5])
        redis.call('HSET', KEYS[2], id, entry)
        redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), id)
        redis.call('HSET', KEYS[4], id, worker)
        redis.call('HSET', KEYS[10], id, score .. ' ' .. string.sub(member, 1, sp - 1))
        redis.call('HINCRBY', KEYS[8], host, 1)
        redis.call('HINCRBY', KEYS[7], host, -1)
        redis.call('HINCRBY', hp .. host, worker, 1)
        redis.call('ZREM', wp .. host, worker)
        refused[host] = nil
        if redis.call('EXISTS', ARGV[4] .. host) == 0 then
          redis.call('ZREM', KEYS[1], host)
          redis.call('DEL', wp .. host)
          open[i] = false
        else
          redis.call('ZADD', KEYS[1], now, host)  -- to the back of the round
        end
        out[#out + 1] = tostring(id)
        out[#out + 1] = entry
        progress = true
      end
    end
  end
end
if #out > 0 then redis.call('HINCRBY', KEYS[6], 'leased', #out / 2) end
local waits = 0
if #out < 2 * want then  -- room to spare: waiting for each host it got none of
  redis.call('ZADD', KEYS[11], now, worker)
  for host in pairs(refused) do
    if redis.call('ZSCORE', wp .. host, worker) == false then
      redis.call('ZADD', wp .. host, redis.call('INCR', KEYS[12]), worker)
    end
    waits = waits + 1
  end
else  -- full: asks no more until a lease of its own ends, and holds no host's leases back meanwhile
  redis.call('ZREM', KEYS[11], worker)
end
table.insert(out, 1, waits)
return out
"""

# KEYS: leases, lease_deadline, lease_worker, stats, done_by_host, done_by_worker, taken_by_host, lease_score,
# holders:<host>, waiting:<host>. ARGV: lease id, host, worker. 1 when the lease was this worker's and is now
# done, else 0. A worker's wait for the host starts over (behind those waiting now) when one of its leases of
# the host ends: a worker that held the host's leases while others waited does not come first once it
# holds none.
ACK = _RELEASE + """
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[3] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[8], ARGV[1])
redis.call('HINCRBY', KEYS[7], ARGV[2], -1)
release(KEYS[9], ARGV[3])
redis.call('ZREM', KEYS[10], ARGV[3])
redis.call('HINCRBY', KEYS[4], 'done', 1)
redis.call('HINCRBY', KEYS[5], ARGV[2], 1)
redis.call('HINCRBY', KEYS[6], ARGV[3], 1)
return 1
"""

# KEYS: leases, lease_deadline, lease_worker, hosts, stats, queued_by_host, taken_by_host, lease_score, asking.
# ARGV: lease id, worker, queue key prefix, holders key prefix. Gives a lease this worker cannot finish back
# to its host's queue, where it was; the worker is stopping: it asks for no more (nothing is held for it).
GIVE_BACK = _QUEUE + _RELEASE + """
redis.call('ZREM', KEYS[9], ARGV[2])
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
local entry = redis.call('HGET', KEYS[1], ARGV[1])
local place = redis.call('HGET', KEYS[8], ARGV[1]) or ('0 ' .. ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[8], ARGV[1])
local host = requeue(KEYS[4], ARGV[3], entry, place)
redis.call('HINCRBY', KEYS[6], host, 1)
redis.call('HINCRBY', KEYS[7], host, -1)
release(ARGV[4] .. host, ARGV[2])
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

# KEYS: leases, lease_deadline, lease_worker, hosts, stats, queued_by_host, taken_by_host, lease_score, asking.
# ARGV: at most how many, queue key prefix, holders key prefix. Leases past their deadline go back to their
# host's queue, where they were; their worker stopped renewing them (dead, or stalled): nothing is held for it
# until it asks again. Returns {worker, worker, ...} per lease.
REAP = _NOW + _QUEUE + _RELEASE + """
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
local out = {}
for _, id in ipairs(ids) do
  local entry = redis.call('HGET', KEYS[1], id)
  local worker = redis.call('HGET', KEYS[3], id) or '?'
  local place = redis.call('HGET', KEYS[8], id) or ('0 ' .. id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[1], id)
  redis.call('HDEL', KEYS[3], id)
  redis.call('HDEL', KEYS[8], id)
  if entry then
    local host = requeue(KEYS[4], ARGV[2], entry, place)
    redis.call('HINCRBY', KEYS[6], host, 1)
    redis.call('HINCRBY', KEYS[7], host, -1)
    release(ARGV[3] .. host, worker)
    redis.call('ZREM', KEYS[9], worker)
    redis.call('HINCRBY', KEYS[5], 'requeued', 1)
    out[#out + 1] = worker
  end
end
return out
"""

# KEYS: hosts, leases, idle_since. -1 while there is work; else ms since the frontier became idle.
IDLE = _NOW + """
if redis.call('ZCARD', KEYS[1]) > 0 or redis.call('HLEN', KEYS[2]) > 0 then
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
