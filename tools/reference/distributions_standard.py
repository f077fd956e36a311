#!/usr/bin/python3
"""Reference values for the standard distributions of @sparse-dgm/distributions.

Run with Debian's scipy:  /usr/bin/python3 tools/reference/distributions_standard.py
Writes packages/distributions/src/reference/standard.json: for each registered case name,
the points, scipy's log density at every point (flattened as [point, ...batch]), and the
closed-form mean and variance (flattened over batch ++ event).

Points are shared by every batch entry: a point of the event shape is broadcast against the
batch shape, so logProb has length len(points) * prod(batchShape).
"""
import json
import os

import numpy as np
from scipy import stats
from scipy.special import expit, softmax

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "packages", "distributions", "src", "reference", "standard.json")


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def lst(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


cases = {}


def scalar_case(name, points, dist, batch=None):
    """dist: a frozen scipy distribution with array params of shape batch (or scalar)."""
    pts = f32(points)
    shape = np.shape(dist.mean())
    lp = []
    for x in pts:
        if hasattr(dist, "logpdf"):
            v = dist.logpdf(np.full(shape, x))
        else:
            v = dist.logpmf(np.full(shape, x))
        lp.append(np.broadcast_to(v, shape))
    cases[name] = {
        "points": lst(pts),
        "logProb": lst(np.array(lp)),
        "mean": lst(dist.mean()),
        "variance": lst(dist.var()),
    }


# ---- continuous ----
xs_real = [-5.0, -1.0, -0.25, 0.0, 0.5, 1.0, 2.0, 7.5]
scalar_case("Normal(loc=0.5,scale=2)", xs_real, stats.norm(0.5, 2.0))
scalar_case("Normal(loc=[-1,0,2],scale=[0.5,1,3])", xs_real, stats.norm(f32([-1, 0, 2]), f32([0.5, 1, 3])))
scalar_case("Laplace(loc=0.5,scale=2)", xs_real, stats.laplace(0.5, 2.0))
scalar_case("Laplace(loc=[-1,0,2],scale=[0.5,1,3])", xs_real, stats.laplace(f32([-1, 0, 2]), f32([0.5, 1, 3])))

xs_unit = [1e-3, 0.05, 0.3, 0.5, 0.77, 0.99]
scalar_case("Beta(concentration1=2,concentration0=3)", xs_unit, stats.beta(2.0, 3.0))
scalar_case("Beta(concentration1=[0.5,1,5],concentration0=[0.5,2,1.5])", xs_unit, stats.beta(f32([0.5, 1, 5]), f32([0.5, 2, 1.5])))

xs_pos = [1e-3, 0.1, 0.5, 1.0, 2.5, 7.0, 30.0]
scalar_case("Gamma(concentration=3,rate=2)", xs_pos, stats.gamma(3.0, scale=1 / 2.0))
scalar_case("Gamma(concentration=[0.5,2,10],rate=[1,0.5,4])", xs_pos, stats.gamma(f32([0.5, 2, 10]), scale=1 / f32([1, 0.5, 4])))

xs_ig = [0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 4.0]
scalar_case("InverseGamma(concentration=20,scale=3)", xs_ig, stats.invgamma(20.0, scale=3.0))
scalar_case("InverseGamma(concentration=[12,30],scale=[1,5])", xs_ig, stats.invgamma(f32([12, 30]), scale=f32([1, 5])))
# scaled inverse chi^2(df, s^2) = InverseGamma(df/2, df s^2/2)
scalar_case("ScaledInvChi2(df=40,scale=0.5)", xs_ig, stats.invgamma(20.0, scale=40 * 0.5 / 2))

# ---- discrete ----
scalar_case("Bernoulli(probs=0.3)", [0, 1], stats.bernoulli(0.3))
scalar_case("Bernoulli(logits=[-2,0,3])", [0, 1], stats.bernoulli(expit(f32([-2, 0, 3]))))

scalar_case("Poisson(rate=3.5)", [0, 1, 3, 10, 50], stats.poisson(3.5))
scalar_case("Poisson(rate=[0.5,12,150])", [0, 1, 3, 10, 50, 150, 200], stats.poisson(f32([0.5, 12, 150])))

# scipy nbinom(n, p): number of failures before the n-th success, success probability p.
scalar_case("NegativeBinomial(totalCount=5,probs=0.4)", [0, 1, 2, 5, 20, 60], stats.nbinom(5.0, 0.4))
scalar_case("NegativeBinomial(totalCount=[2.5,10],logits=[0.5,-1])", [0, 1, 2, 5, 20, 60], stats.nbinom(f32([2.5, 10]), expit(f32([0.5, -1]))))


def categorical_case(name, p, points):
    p = np.atleast_2d(p)
    idx = np.arange(p.shape[-1])
    lp = [np.log(p[:, k]) for k in points]
    mean = (p * idx).sum(-1)
    var = (p * idx**2).sum(-1) - mean**2
    cases[name] = {"points": [float(k) for k in points], "logProb": lst(np.array(lp)), "mean": lst(mean), "variance": lst(var)}


categorical_case("Categorical(probs=[0.2,0.5,0.3])", f32([0.2, 0.5, 0.3]), [0, 1, 2])
categorical_case("Categorical(logits=[[0,1,2],[-1,0,-3]])", softmax(f32([[0, 1, 2], [-1, 0, -3]]), axis=-1), [0, 1, 2])


def multinomial_case(name, n, p, points):
    p = np.atleast_2d(p)
    lp = [[stats.multinomial(n, row).logpmf(x) for row in p] for x in points]
    cases[name] = {
        "points": [[float(v) for v in x] for x in points],
        "logProb": lst(np.array(lp)),
        "mean": lst(n * p),
        "variance": lst(n * p * (1 - p)),
    }


multinomial_case("Multinomial(totalCount=10,probs=[0.2,0.5,0.3])", 10, f32([0.2, 0.5, 0.3]), [[2, 5, 3], [10, 0, 0], [0, 4, 6], [1, 1, 8]])
multinomial_case(
    "Multinomial(totalCount=5,logits=[[0,1,2,-1],[1,1,1,1]])",
    5,
    softmax(f32([[0, 1, 2, -1], [1, 1, 1, 1]]), axis=-1),
    [[0, 0, 5, 0], [1, 1, 2, 1], [2, 0, 0, 3]],
)


def mvn_case(name, loc, tril, points):
    loc = f32(loc)
    L = np.tril(f32(tril))
    cov = L @ L.T
    d = stats.multivariate_normal(loc, cov)
    cases[name] = {
        "points": [[float(v) for v in x] for x in f32(points)],
        "logProb": [float(d.logpdf(x)) for x in f32(points)],
        "mean": lst(loc),
        "variance": lst(np.diag(cov)),
    }


mvn_case(
    "MultivariateNormalTriL(loc=[1,-1,0.5],scaleTril=[[2,0,0],[0.5,1,0],[-0.3,0.8,0.7]])",
    [1, -1, 0.5],
    [[2, 0, 0], [0.5, 1, 0], [-0.3, 0.8, 0.7]],
    [[0, 0, 0], [1, -1, 0.5], [3, 2, -1], [-2.5, 0.3, 4]],
)

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as fh:
    json.dump(cases, fh, indent=1)
    fh.write("\n")
print("wrote", OUT, len(cases), "cases")

# The distribution files register their cases from a TS copy of the same data: a composite
# TypeScript project only compiles the .ts files under src/, so the JSON cannot be imported by
# non-test sources. generic.test.ts checks that the two stay identical.
TS_OUT = os.path.join(os.path.dirname(OUT), "standard.ts")
with open(TS_OUT, "w") as fh:
    fh.write("/**\n * scipy reference values of the standard distributions (generated, do not edit): a copy of\n")
    fh.write(" * standard.json written by tools/reference/distributions_standard.py. For each case name: the\n")
    fh.write(" * points, logProb at every point (flattened [point, ...batch]), closed-form mean and variance.\n *\n")
    fh.write(" * @example\n * ```ts\n * import { standardReference } from \"./reference/standard.js\";\n")
    fh.write(" * standardReference[\"Gamma(concentration=3,rate=2)\"].logProb;\n * ```\n */\n")
    fh.write("export const standardReference = ")
    json.dump(cases, fh, indent=1)
    fh.write(";\n")
print("wrote", TS_OUT)
