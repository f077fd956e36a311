"""Reference only: a MAP sketch of the Sparse VAE on the must-show ratings, to separate the model from its
optimiser. logits = b + Z Wᵀ (linear softmax decoder), Z free per user with a N(0, 1) prior (no encoder, no
posterior variance), W with the spike-and-slab-lasso penalty (normalised p*, closed-form p*/eta after every
step), full-batch Adam (lr 0.01). Prints support F1 (p* >= 0.5, best column permutation).

    python3 bench/ratings-genre-map.py ratings-truth.json [weight=1] [spike=10] [slab=1] [init=1] [steps=3000]
        [warm=0] [ladder=F] [fixz=s] [seed=0] [a=1] [b=G] [nonneg=1] [free=t]

weight: the prior counted weight times per pass over the data (1 = the ELBO; N/B ~ 7 = the reference);
init: SD of the starting W, or "varimax" (the top-K principal axes, varimax-rotated) or "nmf" (a rank-K NMF's item
loadings, each factor's largest 1, and its user factors standardised x zscale=0.5 as Z); nonneg=1: W projected onto
W >= 0 after every step; the objective printed is the multinomial NLL + the z prior + the weighted penalty; warm: fraction of the run over which the prior rises from 0; ladder: lambda0 rises
from lambda1 to spike over that fraction (Rockova and George dynamic posterior exploration); fixz=s: Z fixed at
s times the TRUE z (only W and b fitted; free=t: z fitted too after step t); a, b: the Beta(a, b) prior on eta
(eta = (sum_j p* + a - 1)/(a + b + G - 2), the library's update).
"""
import json, sys, numpy as np
from itertools import permutations
d = json.load(open(sys.argv[1]))
n, g, K = d["n"], d["g"], d["k"]
X = np.array(d["x"], float).reshape(n, g); S = np.array(d["S"]).reshape(g, K).astype(bool)
args = dict(a.split("=") for a in sys.argv[2:])
w8 = float(args.get("weight", 1)); l0 = float(args.get("spike", 10)); l1 = float(args.get("slab", 1)); steps = int(args.get("steps", 3000)); lr = float(args.get("lr", 0.01)); seed = int(args.get("seed", 0))
ea = float(args.get("a", 1)); eb = float(args.get("b", g))
rng = np.random.default_rng(seed)
init = args.get("init", "1")
Z = rng.normal(size=(n, K)) * 0.1 if "fixz" not in args else np.array(d["z"]).reshape(n, K) * float(args["fixz"]); b = np.log(X.mean(0) + 1e-3)
if init == "varimax":  # the top-K principal axes of the centred matrix, varimax-rotated (Kaiser 1958)
    U, s_, Vt = np.linalg.svd(X - X.mean(0), full_matrices=False)
    L = Vt[:K].T * s_[:K] / np.sqrt(n); R_ = np.eye(K)
    for _ in range(100):
        Lr = L @ R_; u, _s, vt = np.linalg.svd(L.T @ (Lr ** 3 - Lr @ np.diag((Lr ** 2).sum(0)) / g)); R_ = u @ vt
    L = L @ R_; L *= np.sign(L.sum(0) + 1e-12)
    W = L / np.abs(L).max() * float(args.get("vscale", 1)); Z = (U[:, :K] * np.sqrt(n)) @ R_ * 0.1 if "fixz" not in args else Z
    est = np.abs(W) >= float(args.get("vcut", 0.3)) * np.abs(W).max(0)
    from itertools import permutations as _p
    print("varimax alone: F1 at 0.3 of each column's max", max(2 * (est[:, q] & S).sum() / (est.sum() + S.sum()) for q in _p(range(K))), flush=True)
elif init == "nmf":  # a rank-K NMF of the matrix (multiplicative updates, Lee and Seung 2001)
    A, H = rng.random((n, K)), rng.random((K, g))
    for _ in range(800):
        H *= (A.T @ X) / (A.T @ A @ H + 1e-9); A *= (X @ H.T) / (A @ H @ H.T + 1e-9)
    W = (H / H.max(1, keepdims=True)).T * float(args.get("vscale", 1))
    Z = (A - A.mean(0)) / A.std(0) * float(args.get("zscale", 0.5)) if "fixz" not in args else Z
else:
    W = rng.normal(size=(g, K)) * float(init)
eta = np.full(K, 0.5); ps = np.full((g, K), 0.5)
P = [Z, W, b]; m = [np.zeros_like(p) for p in P]; v = [np.zeros_like(p) for p in P]
def f1(ps, W):
    best = (0,)
    for perm in permutations(range(K)):
        est = (ps[:, perm] >= 0.5) & (np.abs(W[:, perm]) >= 0.01)
        tp = (est & S).sum(); p = tp / max(est.sum(), 1); r = tp / S.sum(); f = 2 * p * r / max(p + r, 1e-12)
        best = max(best, (f, p, r, est.mean(), [round(float((est[:, k] & S[:, k]).sum() / S[:, k].sum()), 2) for k in range(K)]))
    return best
for t in range(1, steps + 1):
    L = b + Z @ W.T; L -= L.max(1, keepdims=True); Pm = np.exp(L); Pm /= Pm.sum(1, keepdims=True)
    R = X.sum(1, keepdims=True) * Pm - X  # d nll / d logits
    L0 = l0 if "ladder" not in args else l1 + (l0 - l1) * min(1.0, t / (float(args["ladder"]) * steps))
    pen = w8 * min(1.0, t / (float(args.get("warm", 0)) * steps + 1e-9)) * (l1 * ps + L0 * (1 - ps))
    gZ = (R @ W + Z) * (0 if "fixz" in args and t <= int(args.get("free", steps)) else 1); gW = R.T @ Z + pen * np.sign(W); gb = R.sum(0)
    for i, gr in enumerate([gZ, gW, gb]):
        m[i] = 0.9 * m[i] + 0.1 * gr; v[i] = 0.999 * v[i] + 0.001 * gr * gr
        P[i] -= lr * (m[i] / (1 - 0.9 ** t)) / (np.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8)
    if "nonneg" in args: P[1] = W = np.maximum(W, 0)  # projected: a non-negative mask
    a = np.abs(W)
    lo = np.log(eta) - np.log1p(-eta) - (l1 - L0) * a + np.log(l1 / L0)
    ps = 1 / (1 + np.exp(-lo)); eta = np.clip((ps.sum(0) + ea - 1) / (ea + eb + g - 2), 1e-6, 1 - 1e-6)
    if t % (steps // 6) == 0:
        obj = -(X * np.log(Pm + 1e-12)).sum() + 0.5 * (Z ** 2).sum() + (w8 * (l1 * ps + L0 * (1 - ps)) * np.abs(W)).sum()
        F = f1(ps, W); print(f"step {t}: objective {obj:.1f} F1 {F[0]:.3f} (P {F[1]:.2f}, R {F[2]:.2f}) kept {F[3]:.2f} z sd {Z.std(0).round(2)} mean|W| {np.abs(W).mean():.3f}; recall per genre {F[4]}", flush=True)
