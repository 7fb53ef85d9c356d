"""The catalogue lab's plan: 1,000 users, spawned 10 a second, 5 to 9 s between tasks.

This is the seed lab's test plan (it ran for 30 minutes), with catalogue.py's
requests and checks:

    locust -f locust-scenarios/catalogue_plan.py --headless --csv results/catalogue

| setting                    | default | what it is                                        |
| -------------------------- | ------- | ------------------------------------------------- |
| ``CATALOGUE_PLAN_SECONDS`` | 1800    | the whole run, ramp included, then it stops       |
| ``CATALOGUE_SPAWN_RATE``   | 10      | users started a second (1,000 users in 100 s)     |

A short rehearsal, as ``npm test`` runs it (1,000 users in 10 s, 20 s in all):

    CATALOGUE_PLAN_SECONDS=20 CATALOGUE_SPAWN_RATE=100 \\
      locust -f locust-scenarios/catalogue_plan.py --headless

Do not pass -u, -r or -t: the shape sets the users and ends the run (a shape
makes Locust ignore -u and -r, and Locust 2.12 refuses -t next to it).
"""

import os
import sys

from locust import LoadTestShape, between

# Locust may be started from any directory; the scenario and lab_shape.py sit next to this file.
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from catalogue import CatalogueUser  # noqa: E402
# Only the settings reader: a LabPlanShape imported here would be a second shape in this plan.
from lab_shape import positive_setting  # noqa: E402

USERS = 1000


class CataloguePlanUser(CatalogueUser):
    # The seed lab's think time: each user waits 5 to 9 s between requests,
    # so 1,000 users send about 140 requests a second.
    wait_time = between(5, 9)


# Locust runs every User class it finds in a locustfile: this module would run the
# imported CatalogueUser beside the plan's user, at catalogue.py's shorter wait.
del CatalogueUser


class CataloguePlanShape(LoadTestShape):
    """1,000 users at the spawn rate, held until the plan's time is up, then stop."""

    def __init__(self):
        super().__init__()
        # Read at start so a bad value stops Locust before any load is sent.
        self.seconds = positive_setting("CATALOGUE_PLAN_SECONDS", 1800.0, "seconds")
        self.spawn_rate = positive_setting("CATALOGUE_SPAWN_RATE", 10.0, "users a second")

    def tick(self):
        if self.get_run_time() >= self.seconds:
            return None
        return (USERS, self.spawn_rate)
