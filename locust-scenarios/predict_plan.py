"""The predict.py scenario under the labs' plan: 10, 50, then 100 users (see lab_shape.py).

    locust -f locust-scenarios/predict_plan.py --headless --csv results/predict
    LAB_STAGE_SECONDS=20 locust -f locust-scenarios/predict_plan.py    # stages of 20 s

Do not pass -u, -r or -t: the shape sets the users and ends the run.
"""

import os
import sys

# Locust may be started from any directory; the scenario and the shape sit next to this file.
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from lab_shape import LabPlanShape  # noqa: E402, F401  (Locust finds the shape by scanning this module)
from predict import PredictUser  # noqa: E402, F401  (and the user class likewise)
