"""Catalogue lab: the seed lab's three requests, with today's Locust API.

The seed lab's locustfile (old API: ``HttpLocust``, a ``TaskSet`` with
``tasks = {...}``) sent these with equal weight; this file sends the same
requests, unchanged, and checks each answer instead of trusting the status:

- ``GET /status``: 200 and JSON with ``"status": "ok"``;
- ``GET /api/id/tt0068646``: 200, JSON whose movie is the id asked for, with
  10 similar movies;
- ``GET /api/title/The godfather/1972``: the same, found by title (requests
  sends the space as ``%20``) and year.

Healthy: no failures, lookups in a millisecond or two. MODE=naive (or
BUGS=similar-full-scan,title-scan): the same answers, each lookup a tenth of a
second or more (the whole catalogue is scored per request). catalogue_plan.py runs this under
the lab's plan of 1,000 users.

    locust -f locust-scenarios/catalogue.py --host http://127.0.0.1:8000
"""

import os
import sys

# Locust may be started from any directory; the shared helpers sit next to this file.
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from locust import HttpUser, between, task  # noqa: E402

from lab_common import DEFAULT_HOST, expect_json, fail  # noqa: E402

GODFATHER = "tt0068646"
SIMILAR_COUNT = 10


def expect_lookup(response, movie_id):
    """Fail a lookup unless it answers ``movie_id`` and 10 similar movies."""
    body = expect_json(response, 200)
    if body is None:
        return False
    movie = body.get("movie")
    if not isinstance(movie, dict) or movie.get("id") != movie_id:
        return fail(response, f"the answer is not movie {movie_id}")
    similar = body.get("similar")
    if not isinstance(similar, list) or len(similar) != SIMILAR_COUNT:
        return fail(response, f"the answer does not list {SIMILAR_COUNT} similar movies")
    return True


class CatalogueUser(HttpUser):
    host = DEFAULT_HOST
    # Short think time so a few users make enough requests to judge; the plan uses the lab's 5 to 9 s.
    wait_time = between(1, 2)

    @task
    def status(self):
        with self.client.get("/status", catch_response=True) as response:
            body = expect_json(response, 200)
            if body is not None and body.get("status") == "ok":
                response.success()
            elif body is not None:
                response.failure('JSON has no "status": "ok"')

    @task
    def by_id(self):
        with self.client.get(f"/api/id/{GODFATHER}", catch_response=True) as response:
            if expect_lookup(response, GODFATHER):
                response.success()

    @task
    def by_title(self):
        with self.client.get("/api/title/The godfather/1972", catch_response=True) as response:
            if expect_lookup(response, GODFATHER):
                response.success()
