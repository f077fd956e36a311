#!/usr/bin/python3
"""Reference values for the sparse distributions of @sparse-dgm/distributions.

Run with Debian's scipy:  /usr/bin/python3 tools/reference/distributions_sparse.py
Writes packages/distributions/src/reference/sparse.json. Points and parameters are rounded to
float32 first, so the references are the exact (float64) values at the float32 inputs the tests
feed in.

* SpikeSlabLasso (Rockova & George 2018): log[eta Laplace(w; 0, 1/slab) + (1-eta) Laplace(w; 0, 1/spike)].
* SpikeAndSlab (Tonolini et al. 2019) at nonzero points: log(gamma) + log N(z; loc, scale).
* SSL inclusion probabilities p* in both forms (sparse-vae.md section 2.4) for the table checks.
"""
import json
import os

import numpy as np
from scipy import stats
from scipy.special import expit, logsumexp

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "packages", "distributions", "src", "reference", "sparse.json")


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def lst(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def ssl_logpdf(w, spike, slab, eta):
    return logsumexp(
        [np.log(eta) + stats.laplace.logpdf(w, scale=1.0 / slab), np.log1p(-eta) + stats.laplace.logpdf(w, scale=1.0 / spike)],
        axis=0,
    )


out = {"ssl": [], "spikeAndSlab": [], "sslInclusion": []}

for spike, slab, eta in [(10.0, 1.0, 0.5), (10.0, 1.0, 0.2), (20.0, 0.5, 0.05)]:
    w = f32([-3.0, -0.5, -0.1, -1e-3, 0.0, 1e-3, 0.05, 0.3, 1.0, 7.5])
    e = float(f32(eta))
    out["ssl"].append({
        "name": f"SpikeSlabLasso(spike={spike:g},slab={slab:g},inclusion={eta:g})",
        "spike": spike, "slab": slab, "inclusion": eta,
        "points": lst(w), "logProb": lst(ssl_logpdf(w, spike, slab, e)),
        "variance": eta * 2 / slab**2 + (1 - eta) * 2 / spike**2,
    })

for gamma, loc, scale in [(0.3, 0.5, 2.0), (0.9, -1.0, 0.5)]:
    z = f32([-2.0, -0.3, 0.25, 1.0, 3.0])
    g = float(f32(gamma))
    out["spikeAndSlab"].append({
        "name": f"SpikeAndSlab(inclusion={gamma:g},loc={loc:g},scale={scale:g})",
        "inclusion": gamma, "loc": loc, "scale": scale,
        "points": lst(z), "logProb": lst(np.log(g) + stats.norm.logpdf(z, loc=f32(loc), scale=f32(scale))),
        "mean": gamma * loc, "variance": gamma * (scale**2 + loc**2) - (gamma * loc) ** 2,
    })

for eta in [0.5, 0.2, 0.01, 0.9]:
    w = f32([0.0, 0.1, 0.25, 0.5, 1.0, 2.0])
    e = float(f32(eta))
    logit = np.log(e) - np.log1p(-e)
    code = expit(logit + 9.0 * w)
    norm = expit(logit + 9.0 * w + np.log(1.0 / 10.0))
    out["sslInclusion"].append({"spike": 10.0, "slab": 1.0, "inclusion": eta, "w": lst(w), "code": lst(code), "normalised": lst(norm)})

with open(OUT, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote", OUT)
