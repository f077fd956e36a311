#!/usr/bin/python3
"""Reference values for the owned numerics of @sparse-dgm/core (packages/core/src/math).

Run with Debian's scipy:  /usr/bin/python3 tools/reference/numerics.py
Writes packages/core/src/math/reference-values.json. Inputs are rounded to float32 first, so the
references are the exact (float64) function values at the float32 points the tests feed in.
"""
import json
import os

import numpy as np
from scipy import special

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "packages", "core", "src", "math", "reference-values.json")


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def lst(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


pos = f32(np.unique(np.concatenate([
    np.logspace(-3, 4, 71),
    [0.5, 0.9, 0.999, 1.0, 1.001, 1.4616321, 1.5, 1.999, 2.0, 2.001, 2.5, 3.0, 5.5, 5.999, 6.0, 6.001, 7.5, 10.0, 33.3, 100.0, 1234.5, 9999.0],
])))

# log1mexp on x < 0, dense around Maechler's switch at -log 2 and at both extremes.
neg = f32(np.unique(np.concatenate([
    -np.logspace(-6, 2, 49),
    [-np.log(2) - 1e-3, -np.log(2), -np.log(2) + 1e-3, -0.5, -1.0, -5.0, -20.0, -50.0, -88.0],
])))

ypos = f32(np.unique(np.concatenate([np.logspace(-6, np.log10(80.0), 41), [0.5, 1.0, 2.0, 10.0, 20.0, 40.0]])))

xs = f32(np.unique(np.concatenate([np.linspace(-100, 100, 41), [-80.0, -30.0, -17.0, -1e-3, 0.0, 1e-3, 17.0, 30.0, 80.0]])))

u1p = f32(np.unique(np.concatenate([-np.logspace(-10, np.log10(0.9), 21), [0.0], np.logspace(-10, 3, 27)])))

# logsumexp over the last axis of a few rows, incl. huge, tiny, mixed -inf and all -inf rows.
lse_rows = [
    [0.0, 0.0, 0.0, 0.0],
    [1.0, 2.0, 3.0, 4.0],
    [-1000.0, -1000.5, -999.0, -1001.0],
    [1000.0, 1000.5, 999.0, 80.0],
    [-np.inf, 0.0, 1.0, -np.inf],
    [-50.0, 50.0, -3.0, 7.5],
]
lse_rows = f32(lse_rows)
lse_ref = special.logsumexp(lse_rows, axis=-1)
# axis 0 of the same matrix (no -inf columns-only case; add one explicitly below)
lse_ref_axis0 = special.logsumexp(lse_rows, axis=0)

with np.errstate(divide="ignore"):
    ref = {
        "lgamma": {"x": lst(pos), "value": lst(special.gammaln(pos)), "grad": lst(special.digamma(pos))},
        "digamma": {"x": lst(pos), "value": lst(special.digamma(pos)), "grad": lst(special.polygamma(1, pos))},
        "trigamma": {"x": lst(pos), "value": lst(special.polygamma(1, pos)), "grad": lst(special.polygamma(2, pos))},
        "log1mexp": {"x": lst(neg), "value": lst(np.where(neg > -np.log(2), np.log(-np.expm1(neg)), np.log1p(-np.exp(neg)))), "grad": lst(-1.0 / np.expm1(-neg))},
        "softplusInverse": {"x": lst(ypos), "value": lst(ypos + np.log(-np.expm1(-ypos))), "grad": lst(1.0 / -np.expm1(-ypos))},
        "log1p": {"x": lst(u1p), "value": lst(np.log1p(u1p)), "grad": lst(1.0 / (1.0 + u1p))},
        "logSigmoid": {"x": lst(xs), "value": lst(-np.logaddexp(0.0, -xs)), "grad": lst(special.expit(-xs))},
        "logsumexp": {
            "rows": [[(None if not np.isfinite(v) else float(v)) for v in r] for r in lse_rows],
            "lastAxis": lst(lse_ref),
            "axis0": lst(lse_ref_axis0),
        },
    }

with open(OUT, "w") as fh:
    json.dump(ref, fh, indent=1)
    fh.write("\n")
print("wrote", OUT)
