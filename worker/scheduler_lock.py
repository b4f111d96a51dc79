"""Taking RQ's scheduler over from a worker that crashed, after a configurable silence.

RQ runs one scheduler per queue, in the worker holding ``rq:scheduler-lock:<queue>``. The
scheduler (``RQScheduler``, interval 1 s in a worker) sets the lock for ``interval + 60`` = 61 s
and refreshes it every second. When its worker is killed the lock stays until it expires, and no
other worker schedules anything for that minute. A worker here releases a lock that has not been
refreshed for ``after`` seconds (``KEHOACH_SCHEDULER_TAKEOVER_AFTER``; default 60, i.e. RQ's own
expiry) — checked and deleted in one step on the Redis server from the lock's remaining TTL, so
the clocks of different hosts do not matter — and RQ's own maintenance run then acquires it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from redis import Redis
from rq.scheduler import RQScheduler

log = logging.getLogger(__name__)

# The TTL RQ gives a worker's scheduler lock on every refresh: RQScheduler's default interval (1 s,
# the one Worker uses) + 60 s. tests/deadlines/test_worker.py checks it against the installed RQ.
SCHEDULER_LOCK_TTL = 61.0

# Delete the lock only if its holder is still ARGV[1] and it is still at most ARGV[2] ms from
# expiring: checked and deleted in one step, so a lock refreshed or taken over is left alone.
_RELEASE_IF_SILENT = """
local holder = redis.call('GET', KEYS[1])
if holder == false then return nil end
local pttl = redis.call('PTTL', KEYS[1])
if pttl >= 0 and pttl <= tonumber(ARGV[1]) and holder ~= ARGV[2] then
  redis.call('DEL', KEYS[1])
  return holder
end
return nil
"""


def release_stale_locks(
    connection: Redis, queue_names: Iterable[str], after: float, keep: str | None = None
) -> list[str]:
    """Release the scheduler locks of ``queue_names`` not refreshed for ``after`` seconds or more
    (never the one held by ``keep``, this worker's own scheduler); the queue names released."""
    if after >= SCHEDULER_LOCK_TTL:
        return []  # RQ's own expiry comes first
    max_pttl = int((SCHEDULER_LOCK_TTL - after) * 1000)
    script = connection.register_script(_RELEASE_IF_SILENT)
    released = []
    for queue_name in queue_names:
        key = RQScheduler.get_locking_key(queue_name)
        holder = script(keys=[key], args=[max_pttl, keep or ""])
        if holder is not None:
            log.warning(
                "Scheduler %s of queue %s silent for %s s or more: lock released for takeover",
                holder.decode() if isinstance(holder, bytes) else holder,
                queue_name,
                after,
            )
            released.append(queue_name)
    return released
