"""Reference only: with the TRUE user preferences z known, is the genre support what a softmax (categorical)
likelihood needs? Fits logits = b + z Wᵀ by maximum likelihood (multinomial over items, L-BFGS), removes the
softmax shift (each column minus its median: the L1-sparsest representative) and scores |W| against the genres;
the same for a per-item logistic fit. Also counts the anchor (single-genre) items.

    node packages/cli/bin/run-ts.js bench/ratings-truth-dump.ts /tmp/rt.json
    python3 bench/ratings-genre-softmax-oracle.py /tmp/rt.json
"""
import json, sys, numpy as np
from scipy.optimize import minimize
d = json.load(open(sys.argv[1] if len(sys.argv) > 1 else "ratings-truth.json"))
n, g, K = d["n"], d["g"], d["k"]
X = np.array(d["x"], dtype=float).reshape(n, g); Z = np.array(d["z"]).reshape(n, K); S = np.array(d["S"]).reshape(g, K).astype(bool)
m = S.sum(1)
print("items by #genres:", {int(c): int((m == c).sum()) for c in np.unique(m)})
print("anchors (single-genre items) per genre:", [int(((m == 1) & S[:, k]).sum()) for k in range(K)], "items per genre:", S.sum(0).tolist())
def fit_softmax():
    def f(p):
        b = p[:g]; W = p[g:].reshape(g, K)
        L = b + Z @ W.T
        L -= L.max(1, keepdims=True)
        lse = np.log(np.exp(L).sum(1, keepdims=True))
        P = np.exp(L - lse)
        nll = -(X * (L - lse)).sum()
        R = X.sum(1, keepdims=True) * P - X  # dL
        return nll, np.concatenate([R.sum(0), (R.T @ Z).ravel()])
    r = minimize(f, np.zeros(g + g * K), jac=True, method="L-BFGS-B", options={"maxiter": 2000})
    W = r.x[g:].reshape(g, K)
    return W - np.median(W, 0)  # softmax shift: the L1-sparsest representative subtracts each column's median
def fit_bernoulli():
    W = np.zeros((g, K))
    for j in range(g):
        def f(p):
            l = p[0] + Z @ p[1:]
            pr = 1 / (1 + np.exp(-l))
            nll = -(X[:, j] * l - np.logaddexp(0, l)).sum()
            r = pr - X[:, j]
            return nll, np.concatenate([[r.sum()], Z.T @ r])
        W[j] = minimize(f, np.zeros(K + 1), jac=True, method="L-BFGS-B").x[1:]
    return W
def report(name, W):
    A = np.abs(W)
    print(f"{name}: mean |w| genre {A[S].mean():.3f} other {A[~S].mean():.3f}; by #genres of item:",
          {int(c): (round(float(A[(m == c)[:, None] & S].mean()), 3), round(float(A[(m == c)[:, None] & ~S].mean()), 3)) for c in np.unique(m)})
    for rel in [False, True]:
        B = A / A.max(0, keepdims=True) if rel else A
        best = (0, 0)
        for t in np.quantile(B, np.linspace(0.3, 0.95, 66)):
            est = B > t; tp = (est & S).sum(); p = tp / max(est.sum(), 1); r_ = tp / S.sum(); f = 2 * p * r_ / max(p + r_, 1e-12)
            best = max(best, (f, t, p, r_))
        print(f"   best F1 over thresholds ({'column-relative' if rel else 'absolute'}): {best[0]:.3f} at t {best[1]:.3f} (P {best[2]:.2f}, R {best[3]:.2f})")
    # AUPRC-ish: rank all entries
    o = np.argsort(-A.ravel()); hits = S.ravel()[o]; prec = np.cumsum(hits) / np.arange(1, hits.size + 1)
    print(f"   average precision {float((prec * hits).sum() / hits.sum()):.3f}")
    return A
Ws = fit_softmax(); report("softmax-linear, true z (median-centred)", Ws)
Wb = fit_bernoulli(); report("per-item logistic, true z", Wb)
# saturation: positive rate of items
print("item positive rate quantiles:", np.quantile(X.mean(0), [0, .25, .5, .75, .9, 1]).round(3))
