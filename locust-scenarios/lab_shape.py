"""The labs' load plan as a Locust LoadTestShape: 10, then 50, then 100 users.

| stage | users | spawn rate | length                         |
| ----- | ----- | ---------- | ------------------------------ |
| 1     | 10    | 2/s        | LAB_STAGE_SECONDS (180 s)      |
| 2     | 50    | 5/s        | LAB_STAGE_SECONDS              |
| 3     | 100   | 10/s       | LAB_STAGE_SECONDS, then stop   |

Not a locustfile on its own. A shape class found in a locustfile makes Locust
ignore -u and -r (and Locust 2.12 refuses -t next to it), so the scenario
files stay shape-free and the ``*_plan.py`` files add this shape to them:

    locust -f locust-scenarios/checkout_plan.py --headless --csv out/checkout
    LAB_STAGE_SECONDS=20 locust -f locust-scenarios/checkout_plan.py   # a quick rehearsal
"""

import os

from locust import LoadTestShape

# (users, spawn rate per second), one stage after another.
STAGES = ((10, 2), (50, 5), (100, 10))
DEFAULT_STAGE_SECONDS = 180.0


def stage_seconds():
    raw = os.environ.get("LAB_STAGE_SECONDS", "").strip()
    if not raw:
        return DEFAULT_STAGE_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not seconds > 0 or seconds == float("inf"):
        raise ValueError(
            f"LAB_STAGE_SECONDS must be a positive number of seconds, got {raw!r}"
        )
    return seconds


class LabPlanShape(LoadTestShape):
    """Ramp to 10, 50 and 100 users, holding each level for one stage, then stop."""

    def __init__(self):
        super().__init__()
        # Read at start so a bad value stops Locust before any load is sent.
        self.stage_seconds = stage_seconds()

    def tick(self):
        index = int(self.get_run_time() // self.stage_seconds)
        if index >= len(STAGES):
            return None
        return STAGES[index]
