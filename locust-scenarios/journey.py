"""A whole fest visit, through the JSON API, with users of its own.

Each simulated user signs up once with a fresh name (``j_<16 hex>``), so runs
and workers never collide with each other or with the demo user. Then it
repeats a visit: log in, list the events, register for one with seats left,
find it under my events, check out, log out. The signed session cookie
``fest_session`` carries the login; no ``?user=`` is sent.

A step that fails ends the visit (later steps depend on it); the user waits
and starts a new visit from the login. So one crash shows up once per visit,
on the step that broke, rather than as a cascade of follow-on failures.

Every visit registers a new event while the user still has unregistered
events with seats left; after that it re-registers one it holds (200,
"created": false), so a long run does not use up every seat.

    locust -f locust-scenarios/journey.py --host http://127.0.0.1:8000
"""

import os
import random
import secrets
import sys

# Locust may be started from any directory; the shared helpers sit next to this file.
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from locust import HttpUser, SequentialTaskSet, between, task  # noqa: E402

from lab_common import (  # noqa: E402
    DEFAULT_HOST,
    JSON_HEADERS,
    expect_status,
    is_number,
    json_body,
)

SESSION_COOKIE = "fest_session"


def _username_of(user):
    """Every JSON answer names its user as a plain string: "user": "j_..."."""
    return user if isinstance(user, str) else None


class FestVisit(SequentialTaskSet):
    """One visit; Locust runs the tasks in order and waits between them."""

    def on_start(self):
        self.event_id = None

    def _abandon_visit(self):
        # Later steps need this one's result; start over after the user's usual wait.
        self.interrupt(reschedule=False)

    def _has_session_cookie(self):
        return any(cookie.name == SESSION_COOKIE for cookie in self.client.cookies)

    def _body_for_me(self, response, *statuses):
        """The JSON body if the status fits and the answer is about this user."""
        if not expect_status(response, *statuses):
            return None
        body = json_body(response)
        if body is None:
            return None
        if _username_of(body.get("user")) != self.user.username:
            # The cookie was lost or not honoured: the page is someone else's (or nobody's).
            response.failure("answer is not for the logged-in journey user")
            return None
        return body

    def _sign_up(self):
        user = self.user
        with self.client.post(
            "/signup",
            json={"username": user.username, "password": user.password},
            headers=JSON_HEADERS,
            name="/signup",
            catch_response=True,
        ) as response:
            if response.status_code == 409:
                response.failure("HTTP 409: username already taken")
                user.pick_new_name()
                return False
            if self._body_for_me(response, 201) is None:
                return False
            if not self._has_session_cookie():
                response.failure(f"no {SESSION_COOKIE} cookie after signup")
                return False
            response.success()
        user.has_account = True
        return True

    @task
    def log_in(self):
        user = self.user
        if not user.has_account and not self._sign_up():
            self._abandon_visit()
        ok = False
        with self.client.post(
            "/login",
            json={"username": user.username, "password": user.password},
            headers=JSON_HEADERS,
            name="/login",
            catch_response=True,
        ) as response:
            if self._body_for_me(response, 200) is None:
                pass
            elif not self._has_session_cookie():
                response.failure(f"no {SESSION_COOKIE} cookie after login")
            else:
                response.success()
                ok = True
        if not ok:
            self._abandon_visit()

    @task
    def browse_events(self):
        self.event_id = None
        with self.client.get(
            "/events", headers=JSON_HEADERS, name="/events", catch_response=True
        ) as response:
            body = self._body_for_me(response, 200)
            if body is not None:
                events = body.get("events")
                if not isinstance(events, list) or not events:
                    response.failure('JSON "events" is not a non-empty list')
                else:
                    self.event_id = self._pick_event(response, events)
                    if self.event_id is not None:
                        response.success()
        if self.event_id is None:
            self._abandon_visit()

    def _pick_event(self, response, events):
        try:
            open_events = [e["id"] for e in events if e["seatsLeft"] > 0 and not e["registered"]]
            mine = [e["id"] for e in events if e["registered"]]
        except (KeyError, TypeError):
            response.failure('an event lacks "id", "seatsLeft" or "registered"')
            return None
        if open_events:
            return random.choice(open_events)
        if mine:
            return random.choice(mine)
        response.failure("no event has seats left and this user holds none (reseed the database)")
        return None

    @task
    def register(self):
        ok = False
        with self.client.post(
            f"/events/{self.event_id}/register",
            headers=JSON_HEADERS,
            name="/events/[id]/register",
            catch_response=True,
        ) as response:
            if response.status_code == 409:
                # Browsing showed free seats; others may have taken them since, but say so plainly.
                response.failure("HTTP 409: event full although /events showed seats left")
            elif expect_status(response, 201, 200):
                body = json_body(response)
                if body is None:
                    pass
                elif body.get("created") is not (response.status_code == 201):
                    response.failure('"created" does not match the status (201: true, 200: false)')
                else:
                    response.success()
                    ok = True
        if not ok:
            self._abandon_visit()

    @task
    def my_events(self):
        ok = False
        with self.client.get(
            "/my-events", headers=JSON_HEADERS, name="/my-events", catch_response=True
        ) as response:
            body = self._body_for_me(response, 200)
            if body is not None:
                registrations = body.get("registrations")
                if not isinstance(registrations, list):
                    response.failure('JSON "registrations" is not a list')
                elif not any(
                    isinstance(r, dict) and r.get("eventId") == self.event_id for r in registrations
                ):
                    response.failure("the event just registered for is not in my events")
                else:
                    response.success()
                    ok = True
        if not ok:
            self._abandon_visit()

    @task
    def checkout(self):
        ok = False
        with self.client.get(
            "/checkout", headers=JSON_HEADERS, name="/checkout", catch_response=True
        ) as response:
            body = self._body_for_me(response, 200)
            if body is not None:
                if not isinstance(body.get("lines"), list):
                    response.failure('JSON "lines" is not a list')
                elif not is_number(body.get("totalRupees")):
                    response.failure('JSON "totalRupees" is not a number')
                else:
                    response.success()
                    ok = True
        if not ok:
            self._abandon_visit()

    @task
    def log_out(self):
        # A browser's form post: no JSON, and the redirect is not followed.
        with self.client.post(
            "/logout", name="/logout", allow_redirects=False, catch_response=True
        ) as response:
            if expect_status(response, 303):
                response.success()


class JourneyUser(HttpUser):
    host = DEFAULT_HOST
    wait_time = between(0.5, 2)
    tasks = [FestVisit]

    def on_start(self):
        self.has_account = False
        self.password = "pw-" + secrets.token_hex(8)
        self.pick_new_name()

    def pick_new_name(self):
        # 18 characters from [a-z0-9_]; unique across users, runs and workers.
        self.username = "j_" + secrets.token_hex(8)
