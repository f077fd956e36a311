#!/usr/bin/python3
"""Reproduce the Sparse VAE reference's fold assignment for the synthetic (Moran) data.

The reference (gemoran/sparse-vae-code, data/dataset.py: ``assign_splits(2, seed=42)``) resets
the numpy global seed to 42 and draws each row's fold uniformly from {0, 1}; fold 0 is held out.
For N = 1000 this gives 490 test rows (fold 0) and 510 train rows (fold 1)
(specs/sparse-vae.md §3.1).

``np.random.choice(2, n)`` and ``np.random.randint(0, 2, n)`` consume the legacy MT19937 stream
identically, so both give the same vector; the script asserts that.

Run with Debian's numpy (``/usr/bin/python3``, numpy 1.24):

    /usr/bin/python3 tools/reference/splits.py > packages/data/src/synthetic/moran-folds.json
"""
import json
import sys

import numpy as np


def assign_splits(n: int, num_splits: int = 2, seed: int = 42) -> np.ndarray:
    np.random.seed(seed)
    return np.random.randint(0, num_splits, size=n)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    folds = assign_splits(n)
    np.random.seed(42)
    assert np.array_equal(folds, np.random.choice(2, n)), "choice and randint disagree"
    test = int((folds == 0).sum())
    train = int((folds == 1).sum())
    if n == 1000:
        assert (train, test) == (510, 490), (train, test)
    out = {
        "source": "numpy %s: np.random.seed(42); np.random.randint(0, 2, size=%d); fold 0 = test"
        % (np.__version__, n),
        "n": n,
        "train": train,
        "test": test,
        "folds": folds.astype(int).tolist(),
    }
    json.dump(out, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
