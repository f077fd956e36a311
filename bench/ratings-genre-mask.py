"""Reference only: where the Sparse VAE's mask misses the genres. Reads a dump written by
`node packages/cli/bin/run-ts.js bench/ratings-genres.ts <epochs> <fold> <every> ... dump=<file.json>` and prints
support F1 by the items' number of genres, per-genre recall/precision, the |W| ranking's average precision and
which genres each learned column keeps (alignment: Hungarian on the loadings, as `sdgm compare` on a file).

    python3 bench/ratings-genre-mask.py <file.json>
"""
import json, sys, numpy as np
from scipy.optimize import linear_sum_assignment
d = json.load(open(sys.argv[1])); g, K = d["g"], d["k"]
W = np.array(d["W"]).reshape(g, -1); P = np.array(d["pstar"]).reshape(g, -1); S = np.array(d["truth"]).reshape(g, K) > 0
m = S.sum(1)
A = np.abs(W) * (P >= 0.5)
C = np.nan_to_num(np.array([[abs(np.corrcoef(S[:, k], A[:, l])[0, 1]) if A[:, l].std() > 0 else 0 for l in range(A.shape[1])] for k in range(K)]))
r, c = linear_sum_assignment(-C); al = c[np.argsort(r)]
est = (P[:, al] >= 0.5) & (np.abs(W[:, al]) >= 0.01)
def f1(mask):
    e, s = est[mask], S[mask]; tp = (e & s).sum(); p = tp / max(e.sum(), 1); rr = tp / max(s.sum(), 1)
    return round(2 * p * rr / max(p + rr, 1e-12), 3), round(p, 2), round(rr, 2), int(mask.sum())
print("all items: F1, P, R, n =", f1(np.ones(g, bool)))
for c_ in sorted(set(m)): print(f"items with {c_} genre(s):", f1(m == c_))
print("per genre recall:", [round(float((est[:, k] & S[:, k]).sum() / S[:, k].sum()), 2) for k in range(K)], "per genre precision:", [round(float((est[:, k] & S[:, k]).sum() / max(est[:, k].sum(), 1)), 2) for k in range(K)])
Aa = np.abs(W[:, al])
o = np.argsort(-Aa.ravel()); hits = S.ravel()[o]; prec = np.cumsum(hits) / np.arange(1, hits.size + 1)
print("|W| ranking (aligned, ignoring p*): average precision", round(float((prec * hits).sum() / hits.sum()), 3))
B = Aa / Aa.max(0, keepdims=True)
best = max((2 * ((B > t) & S).sum() / ((B > t).sum() + S.sum()), t) for t in np.linspace(0.02, 0.9, 45))
print("best F1 over column-relative |W| cuts:", round(best[0], 3), "at", round(best[1], 2))
print("kept entries of learned column l (rows) on items of genre k (cols), last col = total kept; genre sizes", S.sum(0).tolist())
for l in range(W.shape[1]):
    keep = (P[:, l] >= 0.5) & (np.abs(W[:, l]) >= 0.01)
    sgn = np.sign(W[keep, l]).mean() if keep.any() else 0
    print(f"  col {l} (aligned to genre {list(al).index(l) if l in al else '-'}):", [int((keep & S[:, k]).sum()) for k in range(K)], int(keep.sum()), f"mean sign {sgn:+.2f}")
