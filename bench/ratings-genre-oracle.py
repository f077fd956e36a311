"""Reference only (not a test dependency): are the generated genres recoverable from the ratings alone?

Reads a ratings file exported by `sdgm data "synthetic:ratings" --export DIR` (DIR/ratings.tsv,
DIR/items.csv), applies the `ratings:` source's filters (rating >= 4 -> 1, users with >= 20
positives, the 300 items with the most positives), fits a plain NMF with K = #genres
(multiplicative updates, numpy only) and scores its item loadings against the genres: support
F1 after the best column permutation, each column scaled to max 1 and cut at a threshold.

    python3 bench/ratings-genre-oracle.py DIR

Measured on the default generator (871 x 300 after the filters, 5 genres; docs/data/ratings.md):
F1 0.971 at threshold 0.1, 0.877 at 0.2 (3 NMF seeds agree).
"""
import csv, sys
from itertools import permutations
import numpy as np

d = sys.argv[1]
R = np.loadtxt(f"{d}/ratings.tsv", dtype=np.int64)
pos = R[R[:, 2] >= 4]
users, items = np.unique(pos[:, 0]), None
counts = {u: c for u, c in zip(*np.unique(pos[:, 0], return_counts=True))}
pos = pos[np.array([counts[u] >= 20 for u in pos[:, 0]])]
ids, c = np.unique(pos[:, 1], return_counts=True)
top = ids[np.argsort(-c, kind="stable")[:300]]
pos = pos[np.isin(pos[:, 1], top)]
us = np.unique(pos[:, 0])
X = np.zeros((len(us), len(top)))
X[np.searchsorted(us, pos[:, 0]), np.searchsorted(np.sort(top), pos[:, 1])] = 1
top = np.sort(top)
genres = {}
with open(f"{d}/items.csv") as f:
    for row in csv.DictReader(f):
        genres[int(row["movieId"])] = row["genres"].split("|")
names = sorted({g for j in top for g in genres[j]})
S = np.array([[g in genres[j] for g in names] for j in top])
K = S.shape[1]
print(f"{X.shape[0]} users x {X.shape[1]} items, density {X.mean():.3f}; {K} genres, support density {S.mean():.3f}")


def f1(est):
    tp, fp, fn = (est & S).sum(), (est & ~S).sum(), (~est & S).sum()
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return 2 * p * r / max(p + r, 1e-12), p, r


for seed in range(3):
    rng = np.random.default_rng(seed)
    W, H = rng.random((X.shape[0], K)), rng.random((K, X.shape[1]))
    for _ in range(800):
        H *= (W.T @ X) / (W.T @ W @ H + 1e-9)
        W *= (X @ H.T) / (W @ H @ H.T + 1e-9)
    L = (H / H.max(1, keepdims=True)).T
    for thr in (0.1, 0.2, 0.3):
        best = max(permutations(range(K)), key=lambda p: f1(L[:, list(p)] > thr)[0])
        print(f"NMF seed {seed} threshold {thr}: F1 %.3f (P %.3f, R %.3f)" % f1(L[:, list(best)] > thr))
