r"""Golden values for tests/test_agreement.py from irrCAC (the Python port of Gwet's R
package irrCAC), run OUTSIDE the project's environment (irrcac pins scipy==1.12 and
pandas<3). The exact commands that produced irrcac_golden.json:

    python3 -m venv /tmp/irrvenv
    /tmp/irrvenv/bin/pip install irrcac==0.4.4
    /tmp/irrvenv/bin/python tests/data/agreement/irrcac_golden.py \
        > tests/data/agreement/irrcac_golden.json

The ratings are generated here with a seeded numpy generator and written into the JSON
beside the results, so the test reads the very same matrices. Grades 0..3 (best first),
most readings the second grade (the kappa paradox), about a fifth of readings missing.
"""

import json
import sys

import irrCAC
import numpy as np
import pandas as pd
from irrCAC.raw import CAC


def main() -> None:
    rng = np.random.default_rng(20140)
    out = {"tool": f"irrcac {getattr(irrCAC, '__version__', '0.4.4')}",
           "command": "/tmp/irrvenv/bin/python tests/data/agreement/irrcac_golden.py",
           "categories": [0, 1, 2, 3], "datasets": []}
    for raters, subjects in ((2, 30), (3, 50), (5, 80)):
        truth = rng.choice(4, size=subjects, p=[0.08, 0.72, 0.15, 0.05])
        noise = rng.choice([-1, 0, 1], size=(subjects, raters), p=[0.1, 0.8, 0.1])
        ratings = np.clip(truth[:, None] + noise, 0, 3).astype(float)
        ratings[rng.random(ratings.shape) < 0.2] = np.nan
        frame = pd.DataFrame(ratings)
        results = {}
        for name, weights, method in (("ac1", "identity", "gwet"),
                                      ("ac2_linear", "linear", "gwet"),
                                      ("ac2_quadratic", "quadratic", "gwet"),
                                      ("fleiss", "identity", "fleiss")):
            cac = CAC(frame, weights=weights, categories=[0.0, 1.0, 2.0, 3.0], digits=17)
            est = getattr(cac, method)()["est"]
            results[name] = {"value": float(est["coefficient_value"]),
                             "se": float(est["se"]),
                             "ci_low": float(est["confidence_interval"][0]),
                             "ci_high": float(est["confidence_interval"][1])}
        out["datasets"].append({
            "raters": raters,
            "ratings": [[None if np.isnan(v) else int(v) for v in row] for row in ratings],
            "irrcac": results})
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


main()
