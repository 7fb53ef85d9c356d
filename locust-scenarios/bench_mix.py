"""Bench lab: a mix of the cheap, the waiting and the CPU-bound endpoint.

50% GET /health, 30% GET /io (about 200 ms of waiting), 20% GET /cpu (about
30 ms of real CPU work in the worker pool).

Healthy: no failures; /health stays fast while /cpu is busy. MODE=naive (or
BUGS=cpu-inline) runs /cpu on the event loop, so /health and /io latency
climb with the /cpu load. BUGS=io-blocking makes /io freeze the event loop:
its requests run one after another and everything else waits behind them.

When the /cpu worker pool's queue is full, or the server is at its capacity
limit (MAX_IN_FLIGHT, the-knee), the server answers 503 with a Retry-After
header. That is an honest "overloaded" answer, and it counts as a failure
here, under its own message ("server at capacity (MAX_IN_FLIGHT)" or "worker
pool queue full") so it is not mistaken for a crash.

    locust -f locust-scenarios/bench_mix.py --host http://127.0.0.1:8000
"""

import os
import sys

# Locust may be started from any directory; the shared helpers sit next to this file.
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from locust import HttpUser, between, task  # noqa: E402

from lab_common import DEFAULT_HOST, expect_json, expect_not_shed, fail  # noqa: E402


def _json_has(response, key, value=None):
    """Fail the request unless it is 200 and JSON with ``key`` (equal to ``value`` if given)."""
    body = expect_json(response, 200)
    if body is None:
        return False
    if value is not None and body.get(key) != value:
        return fail(response, f'JSON "{key}" is not "{value}"')
    if key in body:
        return True
    return fail(response, f'JSON has no "{key}"')


class BenchMixUser(HttpUser):
    # Short think time, so a few users already keep the server busy.
    wait_time = between(0.1, 0.5)
    host = DEFAULT_HOST

    @task(5)
    def health(self):
        with self.client.get("/health", name="/health", catch_response=True) as response:
            if _json_has(response, "status", "ok"):
                response.success()

    @task(3)
    def io(self):
        with self.client.get("/io", name="/io", catch_response=True) as response:
            # Under a capacity limit (the-knee) /io is what reaches it: its 503s say so.
            if expect_not_shed(response, "/io", pool=False) and _json_has(response, "waitedMs"):
                response.success()

    @task(2)
    def cpu(self):
        with self.client.get("/cpu", name="/cpu", catch_response=True) as response:
            if expect_not_shed(response, "/cpu") and _json_has(response, "checksum"):
                response.success()
