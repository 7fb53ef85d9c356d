"""checkout.py under the labs' plan: 10, 50, then 100 users (lab_shape.py); pass no -u, -r or -t.

    locust -f locust-scenarios/checkout_plan.py --headless --csv results/checkout
"""

import os
import sys

# Locust may be started from any directory; the scenario and the shape sit next to this file.
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

# Locust runs the shape and the user class it finds in this module: the plan is these two names.
from lab_shape import LabPlanShape  # noqa: E402, F401
from checkout import CheckoutUser  # noqa: E402, F401
