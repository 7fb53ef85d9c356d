"""The labs' load plan as a Locust LoadTestShape: 10, then 50, then 100 users.

| stage | users | spawn rate | length                         |
| ----- | ----- | ---------- | ------------------------------ |
| 1     | 10    | 2/s        | LAB_STAGE_SECONDS (180 s)      |
| 2     | 50    | 5/s        | LAB_STAGE_SECONDS              |
| 3     | 100   | 10/s       | LAB_STAGE_SECONDS, then stop   |

Not a locustfile on its own. A shape class found in a locustfile makes Locust
ignore -u and -r (and Locust 2.12 refuses -t next to it), so the scenario
files stay shape-free, and each ``*_plan.py`` file is one scenario's user class
and this shape, imported side by side:

    locust -f locust-scenarios/checkout_plan.py --headless --csv out/checkout
    LAB_STAGE_SECONDS=20 locust -f locust-scenarios/checkout_plan.py   # a quick rehearsal

catalogue_plan.py has a plan and a shape of its own; it reads its settings with
``positive_setting`` from here.
"""

import os

from locust import LoadTestShape

# (users, spawn rate per second), one stage after another.
STAGES = ((10, 2), (50, 5), (100, 10))
DEFAULT_STAGE_SECONDS = 180.0


def positive_setting(name, default, unit):
    """The environment setting ``name`` as a positive number of ``unit``, or ``default`` when unset.

    Shared by every plan's shape, so a bad value reads the same whichever plan it stops.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise ValueError(f"{name} must be a positive number of {unit}, got {raw!r}")
    return value


class LabPlanShape(LoadTestShape):
    """Ramp to 10, 50 and 100 users, holding each level for one stage, then stop."""

    def __init__(self):
        super().__init__()
        # Read at start so a bad value stops Locust before any load is sent.
        self.stage_seconds = positive_setting("LAB_STAGE_SECONDS", DEFAULT_STAGE_SECONDS, "seconds")

    def tick(self):
        index = int(self.get_run_time() // self.stage_seconds)
        if index >= len(STAGES):
            return None
        return STAGES[index]
