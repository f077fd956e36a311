#!/usr/bin/python3
"""Reference values for @sparse-dgm/metrics, computed with sklearn/scipy/numpy.

Run with Debian's interpreter (it has sklearn 1.2.1, scipy, numpy):

    /usr/bin/python3 tools/reference/metrics_fixtures.py

Writes JSON fixtures to packages/metrics/src/fixtures/. The TS tests only read the
JSON; they never run Python. Every input array is stored in the fixture, so the
TS side does not need to reproduce numpy's generators (except for the
`numpy_choice` fixture, which checks exactly that).

The DCI function below mirrors gemoran/sparse-vae-code evaluation/dci.py
(disentanglement_lib's dci.py with GradientBoostingRegressor and MSE).
MIG and SAP mirror disentanglement_lib's mig.py / sap_score.py / utils.py.
MCC mirrors ilkhem/iVAE metrics/mcc.py.
"""
import json
import os

import numpy as np
import scipy
import scipy.stats
from scipy.optimize import linear_sum_assignment
import sklearn
from sklearn import ensemble
from sklearn.linear_model import Lasso, LogisticRegression
from sklearn.metrics import mutual_info_score

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "packages", "metrics", "src", "fixtures")
os.makedirs(OUT, exist_ok=True)


def dump(name, obj):
    obj["_generator"] = "tools/reference/metrics_fixtures.py"
    obj["_versions"] = {"sklearn": sklearn.__version__, "scipy": scipy.__version__, "numpy": np.__version__}
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f, indent=None, separators=(",", ":"))
    print("wrote", name)


def f32(a):
    # Round inputs to float32 so that sklearn's internal float32 cast of X is a no-op
    # and the TS side sees the exact same numbers.
    return np.asarray(a, dtype=np.float32).astype(np.float64)


# ---------------------------------------------------------------- GBT
def gbt_case(name, X, y, Xtest):
    # random_state=0 pins sklearn's random feature-visiting order (it only matters for
    # exact ties between features); the TS port reproduces it with randomState: 0.
    m = ensemble.GradientBoostingRegressor(random_state=0)
    m.fit(X, y)
    # A case is "tie-free" if other seeds give the same model; then the TS default
    # (ties -> lowest feature index, no RNG) must match too.
    imps = [ensemble.GradientBoostingRegressor(random_state=s).fit(X, y).feature_importances_ for s in range(1, 8)]
    tie_free = bool(all(np.allclose(i, m.feature_importances_, rtol=0, atol=1e-12) for i in imps))
    return {
        "tieFree": tie_free,
        "name": name,
        "X": X.tolist(),
        "y": y.tolist(),
        "Xtest": Xtest.tolist(),
        "init": float(m.init_.constant_[0][0]),
        "predTrain": m.predict(X).tolist(),
        "predTest": m.predict(Xtest).tolist(),
        "featureImportances": m.feature_importances_.tolist(),
        "nodeCounts": [int(t[0].tree_.node_count) for t in m.estimators_],
        "firstTree": {
            "feature": m.estimators_[0][0].tree_.feature.tolist(),
            "threshold": m.estimators_[0][0].tree_.threshold.tolist(),
            "impurity": m.estimators_[0][0].tree_.impurity.tolist(),
            "value": m.estimators_[0][0].tree_.value[:, 0, 0].tolist(),
        },
    }


def gbt_fixtures():
    rng = np.random.RandomState(0)
    cases = []
    X = f32(rng.randn(80, 4))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] ** 2 + 0.1 * rng.randn(80)
    cases.append(gbt_case("smooth-80x4", X, y, f32(rng.randn(20, 4))))
    X = f32(rng.randn(16, 5))
    y = X[:, 2] - 2 * X[:, 4] + 0.3 * rng.randn(16)
    cases.append(gbt_case("tiny-16x5", X, y, f32(rng.randn(16, 5))))
    # integer-valued features: many equal values inside each feature
    X = rng.randint(0, 4, size=(60, 3)).astype(np.float64)
    y = X[:, 0] * 1.5 + (X[:, 1] > 1) + 0.2 * rng.randn(60)
    cases.append(gbt_case("integer-60x3", X, y, rng.randint(0, 4, size=(10, 3)).astype(np.float64)))
    # one constant feature, one informative
    X = f32(np.column_stack([np.ones(40), rng.randn(40), rng.randn(40)]))
    y = 3 * X[:, 1] + rng.randn(40) * 0.05
    cases.append(gbt_case("constant-col-40x3", X, y, f32(rng.randn(5, 3))))
    dump("gbt.json", {"cases": cases})


# ---------------------------------------------------------------- DCI (sparse-vae-code / DL)
def compute_importance_gbt(x_train, y_train, x_test, y_test, random_state=0):
    # The reference calls GradientBoostingRegressor() (random_state=None); we pin
    # random_state so the fixture is reproducible (it only affects exact ties).
    num_factors = y_train.shape[0]
    num_codes = x_train.shape[0]
    importance_matrix = np.zeros(shape=[num_codes, num_factors], dtype=np.float64)
    train_loss, test_loss = [], []
    for i in range(num_factors):
        model = ensemble.GradientBoostingRegressor(random_state=random_state)
        model.fit(x_train.T, y_train[i, :])
        importance_matrix[:, i] = np.abs(model.feature_importances_)
        train_loss.append(np.mean(np.power(model.predict(x_train.T) - y_train[i, :], 2)))
        test_loss.append(np.mean(np.power(model.predict(x_test.T) - y_test[i, :], 2)))
    return importance_matrix, np.mean(train_loss), np.mean(test_loss)


def disentanglement_per_code(R):
    return 1. - scipy.stats.entropy(R.T + 1e-11, base=R.shape[1])


def disentanglement(R):
    per_code = disentanglement_per_code(R)
    if R.sum() == 0.:
        R = np.ones_like(R)
    return np.sum(per_code * R.sum(axis=1) / R.sum())


def completeness_per_factor(R):
    return 1. - scipy.stats.entropy(R + 1e-11, base=R.shape[0])


def completeness(R):
    per_factor = completeness_per_factor(R)
    if R.sum() == 0.:
        R = np.ones_like(R)
    return np.sum(per_factor * R.sum(axis=0) / R.sum())


def compute_dci(mus_train, ys_train, mus_test, ys_test):
    R, tr, te = compute_importance_gbt(mus_train, ys_train, mus_test, ys_test)
    return {
        "importance": R.tolist(),
        "informativenessTrain": float(tr),
        "informativenessTest": float(te),
        "disentanglement": float(disentanglement(R)),
        "completeness": float(completeness(R)),
        "disentanglementPerCode": disentanglement_per_code(R).tolist(),
        "completenessPerFactor": completeness_per_factor(R).tolist(),
    }


def dci_fixtures():
    rng = np.random.RandomState(1)
    cases = []
    # Moran-like: 2 true factors, 5 codes (2 informative, mixed, 3 noise).
    def make(n):
        v = rng.randn(n, 2)
        z = np.column_stack([
            v[:, 0] + 0.1 * rng.randn(n),
            0.8 * v[:, 1] + 0.3 * v[:, 0] + 0.1 * rng.randn(n),
            0.05 * rng.randn(n),
            rng.randn(n),
            np.tanh(v[:, 1]) + 0.2 * rng.randn(n),
        ])
        return f32(z), v

    ztr, vtr = make(200)
    zte, vte = make(100)
    out = compute_dci(ztr.T, vtr.T, zte.T, vte.T)
    out.update({"name": "moran-like-200", "codesTrain": ztr.tolist(), "factorsTrain": vtr.tolist(),
                "codesTest": zte.tolist(), "factorsTest": vte.tolist()})
    cases.append(out)

    # The 16-point variant as in Evaluator.evaluate_dci (seed 42, 16 train + 16 test).
    ztr, vtr = make(510)
    zte, vte = make(490)
    np.random.seed(42)
    itr = np.random.choice(range(510), 16, replace=False)
    ite = np.random.choice(range(490), 16, replace=False)
    out = compute_dci(ztr[itr].T, vtr[itr].T, zte[ite].T, vte[ite].T)
    out.update({"name": "moran-like-16of510-490", "codesTrain": ztr.tolist(), "factorsTrain": vtr.tolist(),
                "codesTest": zte.tolist(), "factorsTest": vte.tolist(),
                "indicesTrain": itr.tolist(), "indicesTest": ite.tolist()})
    cases.append(out)
    dump("dci.json", {"cases": cases})


# ---------------------------------------------------------------- Lasso
def lasso_fixtures():
    rng = np.random.RandomState(2)
    X = rng.randn(100, 6)
    y = 2 * X[:, 0] - X[:, 3] + 0.5 * rng.randn(100)
    cases = []
    for alpha in [0.01, 0.1, 0.5]:
        m = Lasso(alpha=alpha, tol=1e-12, max_iter=100000).fit(X, y)
        cases.append({"alpha": alpha, "coef": m.coef_.tolist(), "intercept": float(m.intercept_)})
    dump("lasso.json", {"X": X.tolist(), "y": y.tolist(), "cases": cases})


# ---------------------------------------------------------------- numpy legacy choice
def numpy_choice_fixture():
    out = []
    for seed, n1, n2 in [(42, 510, 490), (42, 1000, 1000), (0, 20, 17), (7, 100000, 33)]:
        np.random.seed(seed)
        a = np.random.choice(range(n1), 16, replace=False)
        b = np.random.choice(range(n2), 16, replace=False)
        out.append({"seed": seed, "n1": n1, "n2": n2, "first": a.tolist(), "second": b.tolist()})
    dump("numpy_choice.json", {"cases": out})


# ---------------------------------------------------------------- MCC
def mcc_np(x, y, method):
    d = x.shape[1]
    if method == "pearson":
        cc = np.corrcoef(x, y, rowvar=False)[:d, d:]
    else:
        cc = scipy.stats.spearmanr(x, y)[0][:d, d:]
    cc = np.abs(cc)
    return cc


def mcc_fixtures():
    rng = np.random.RandomState(3)
    cases = []
    s = rng.randn(300, 3)
    z = np.column_stack([-2 * s[:, 2] + 0.1 * rng.randn(300), s[:, 0] ** 3, s[:, 1] + rng.randn(300)])
    for method in ["pearson", "spearman"]:
        cc = mcc_np(s, z, method)
        r, c = linear_sum_assignment(-cc)
        cases.append({"name": "square-" + method, "method": method, "truth": s.tolist(), "latents": z.tolist(),
                      "corr": cc.tolist(), "rows": r.tolist(), "cols": c.tolist(),
                      "mcc": float(cc[r, c].mean())})
    # rectangular: 2 sources, 5 latents
    s = rng.randn(200, 2)
    z = np.column_stack([rng.randn(200), s[:, 1] + 0.3 * rng.randn(200), rng.randn(200),
                         0.5 * s[:, 0] + 0.5 * s[:, 1], s[:, 0] + 0.2 * rng.randn(200)])
    for method in ["pearson", "spearman"]:
        d = s.shape[1]
        if method == "pearson":
            cc = np.abs(np.corrcoef(s, z, rowvar=False)[:d, d:])
        else:
            cc = np.abs(scipy.stats.spearmanr(s, z)[0][:d, d:])
        r, c = linear_sum_assignment(-cc)
        cases.append({"name": "rect-" + method, "method": method, "truth": s.tolist(), "latents": z.tolist(),
                      "corr": cc.tolist(), "rows": r.tolist(), "cols": c.tolist(),
                      "mcc": float(cc[r, c].mean())})
    # ties in spearman ranks (integer-valued latent)
    s = rng.randn(50, 2)
    z = np.column_stack([np.round(s[:, 0]), s[:, 1] * 2 + 0.5 * rng.randn(50), np.round(rng.randn(50))])
    cc = np.abs(scipy.stats.spearmanr(s, z)[0][:2, 2:])
    r, c = linear_sum_assignment(-cc)
    cases.append({"name": "rect-ties-spearman", "method": "spearman", "truth": s.tolist(), "latents": z.tolist(),
                  "corr": cc.tolist(), "rows": r.tolist(), "cols": c.tolist(), "mcc": float(cc[r, c].mean())})
    dump("mcc.json", {"cases": cases})


# ---------------------------------------------------------------- MIG / SAP (disentanglement_lib)
def histogram_discretize(target, num_bins=20):
    discretized = np.zeros_like(target)
    for i in range(target.shape[0]):
        discretized[i, :] = np.digitize(target[i, :], np.histogram(target[i, :], num_bins)[1][:-1])
    return discretized


def discrete_mutual_info(mus, ys):
    num_codes = mus.shape[0]
    num_factors = ys.shape[0]
    m = np.zeros([num_codes, num_factors])
    for i in range(num_codes):
        for j in range(num_factors):
            m[i, j] = mutual_info_score(ys[j, :], mus[i, :])
    return m


def discrete_entropy(ys):
    num_factors = ys.shape[0]
    h = np.zeros(num_factors)
    for j in range(num_factors):
        h[j] = mutual_info_score(ys[j, :], ys[j, :])
    return h


def mig(mus, ys, discretize_factors):
    dm = histogram_discretize(mus)
    yy = histogram_discretize(ys) if discretize_factors else ys
    m = discrete_mutual_info(dm, yy)
    entropy = discrete_entropy(yy)
    sorted_m = np.sort(m, axis=0)[::-1]
    return {"discretizedCodes": dm.T.tolist(), "mi": m.tolist(), "entropy": entropy.tolist(),
            "mig": float(np.mean(np.divide(sorted_m[0, :] - sorted_m[1, :], entropy[:])))}


def sap_continuous(mus, ys):
    num_latents = mus.shape[0]
    num_factors = ys.shape[0]
    S = np.zeros([num_latents, num_factors])
    for i in range(num_latents):
        for j in range(num_factors):
            c = np.cov(mus[i, :], ys[j, :], ddof=1)
            if c[0, 0] > 1e-12:
                S[i, j] = c[0, 1] ** 2 / (c[0, 0] * c[1, 1])
    srt = np.sort(S, axis=0)
    return {"scoreMatrix": S.tolist(), "sap": float(np.mean(srt[-1, :] - srt[-2, :]))}


def mig_sap_fixtures():
    rng = np.random.RandomState(4)
    cases = []
    n = 500
    v = rng.randint(0, 5, size=(n, 3)).astype(np.float64)
    z = np.column_stack([v[:, 0] + 0.3 * rng.randn(n), rng.randn(n), v[:, 1] * 0.5 + v[:, 2] * 0.5 + 0.2 * rng.randn(n),
                         np.exp(rng.randn(n)), np.full(n, 0.25)])
    case = {"name": "discrete-factors", "codes": z.tolist(), "factors": v.tolist(), "discretizeFactors": False}
    case.update(mig(z.T, v.T, False))
    case.update(sap_continuous(z.T, v.T))
    cases.append(case)
    v = rng.randn(n, 2)
    z = np.column_stack([v[:, 0] + 0.2 * rng.randn(n), v[:, 1] ** 3, rng.randn(n), v[:, 0] - v[:, 1]])
    case = {"name": "continuous-factors", "codes": z.tolist(), "factors": v.tolist(), "discretizeFactors": True}
    case.update(mig(z.T, v.T, True))
    case.update(sap_continuous(z.T, v.T))
    cases.append(case)
    # plain mutual_info_score checks on label vectors
    mis = []
    for k in range(3):
        a = rng.randint(0, 4 + k, size=60)
        b = rng.randint(0, 3, size=60)
        mis.append({"a": a.tolist(), "b": b.tolist(), "mi": float(mutual_info_score(a, b))})
    dump("mig_sap.json", {"cases": cases, "mutualInfo": mis})


# ---------------------------------------------------------------- linear probe
def probe_fixtures():
    rng = np.random.RandomState(5)
    n, d, k = 300, 4, 3
    centers = rng.randn(k, d) * 1.5
    ytr = rng.randint(0, k, size=n)
    Xtr = centers[ytr] + rng.randn(n, d)
    yte = rng.randint(0, k, size=150)
    Xte = centers[yte] + rng.randn(150, d)
    m = LogisticRegression(tol=1e-10, max_iter=10000).fit(Xtr, ytr)
    dump("probe.json", {"Xtrain": Xtr.tolist(), "ytrain": ytr.tolist(), "Xtest": Xte.tolist(), "ytest": yte.tolist(),
                        "coef": m.coef_.tolist(), "intercept": m.intercept_.tolist(),
                        "trainAccuracy": float(m.score(Xtr, ytr)), "testAccuracy": float(m.score(Xte, yte)),
                        "predictTest": m.predict(Xte).tolist()})


if __name__ == "__main__":
    gbt_fixtures()
    dci_fixtures()
    lasso_fixtures()
    numpy_choice_fixture()
    mcc_fixtures()
    mig_sap_fixtures()
    probe_fixtures()
