#!/usr/bin/python3
"""Reference run of VSC (fixed-alpha prior, the ICLR version) on Fashion-MNIST in PyTorch, written
from the math in specs/vsc.md part b0 (not from any paper repository): 784-400-200, alpha 0.01,
batch 32, Adam 1e-3, Bernoulli cross-entropy on grey levels, threshold-sigmoid draw with c = 50,
log gamma = -relu(-v), analytic spike-and-slab KL with gamma clamped to [1e-6, 1 - 1e-6], PyTorch's
default nn.Linear initialisation. Prints one JSON line per epoch: the test negative ELBO per image
(a single-sample estimate, as the reference's test loop), the same with the gate's hard limit
1[u > 1 - gamma] (the spike-and-slab model the relaxation stands for) and the mean gamma on the
test images.

Used only to measure the reference's spread over seeds (docs/zoo/vsc.md) and, with --steps, the
benchmark's time per step (bench/vsc-fashion.ts --vs-torch); the tests never run it.
--threads N sets torch's threads (default 1, as the reference runs; 0 leaves torch's default, what a
user gets). --steps N stops training after N minibatches and prints the median ms per step of the
steps after the first 20, then exits.
Usage: /usr/bin/python3 tools/reference/torch_vsc_fashion.py [--seed 0] [--epochs 5] [--model vsc|vae] [--threads 1] [--steps N]
"""
import argparse, gzip, json, time
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

DIR = "/usr/share/datasets/fashion-mnist"


def idx_images(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    n, r, c = (int.from_bytes(raw[i:i + 4], "big") for i in (4, 8, 12))
    return torch.from_numpy(np.frombuffer(raw, np.uint8, offset=16).reshape(n, r * c).astype(np.float32) / 255.0)


class Vsc(nn.Module):
    def __init__(s, D=784, H=400, J=200, alpha=0.01, c=50.0, sparse=True):
        super().__init__()
        s.sparse, s.alpha, s.c = sparse, alpha, c
        s.enc = nn.Linear(D, H)
        s.mu, s.lv = nn.Linear(H, J), nn.Linear(H, J)
        s.v = nn.Linear(H, J) if sparse else None
        s.dec1, s.dec2 = nn.Linear(J, H), nn.Linear(H, D)

    def loss(s, x, hard=False):
        h = F.relu(s.enc(x))
        mu, lv = s.mu(h), s.lv(h)
        eps = torch.randn_like(mu)
        slab = mu + torch.exp(0.5 * lv) * eps
        if s.sparse:
            log_gamma = -F.relu(-s.v(h))
            gamma = torch.exp(log_gamma)
            u = torch.rand_like(mu)
            gate = (u - 1 + gamma > 0).float() if hard else torch.sigmoid(s.c * (u - 1 + gamma))
            z = gate * slab
            g = gamma.clamp(1e-6, 1 - 1e-6)
            kl = (-0.5 * g * (1 + lv - mu ** 2 - lv.exp())
                  + (1 - g) * torch.log((1 - g) / (1 - s.alpha)) + g * torch.log(g / s.alpha)).sum(1)
        else:
            z = slab
            kl = (-0.5 * (1 + lv - mu ** 2 - lv.exp())).sum(1)
        logits = s.dec2(F.relu(s.dec1(z)))
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
        return rec + kl, (gamma if s.sparse else None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--model", default="vsc")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=0)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    xtr = idx_images(f"{DIR}/train-images-idx3-ubyte.gz")
    xte = idx_images(f"{DIR}/t10k-images-idx3-ubyte.gz")
    m = Vsc(sparse=a.model == "vsc")
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    t_train = 0.0
    step_ms = []
    for epoch in range(1, a.epochs + 1):
        t0 = time.time()
        perm = torch.randperm(xtr.shape[0])
        for i in range(0, xtr.shape[0], 32):
            ts = time.perf_counter()
            loss, _ = m.loss(xtr[perm[i:i + 32]])
            opt.zero_grad()
            loss.sum().backward()
            opt.step()
            step_ms.append((time.perf_counter() - ts) * 1e3)
            if a.steps and len(step_ms) >= a.steps:
                timed = sorted(step_ms[20:] or step_ms)
                print(json.dumps({"model": a.model, "seed": a.seed, "steps": len(step_ms), "msPerStep": round(timed[len(timed) // 2], 3),
                                  "threads": torch.get_num_threads()}), flush=True)
                return
        t_train += time.time() - t0
        with torch.no_grad():
            tot, hard, gsum = 0.0, 0.0, 0.0
            for i in range(0, xte.shape[0], 1000):
                l, g = m.loss(xte[i:i + 1000])
                tot += l.sum().item()
                hard += m.loss(xte[i:i + 1000], hard=True)[0].sum().item()
                gsum += g.sum().item() if g is not None else 0.0
        print(json.dumps({"model": a.model, "seed": a.seed, "epoch": epoch, "testNegElbo": tot / xte.shape[0],
                          "hardGateNegElbo": hard / xte.shape[0], "meanGamma": gsum / (xte.shape[0] * 200),
                          "trainSeconds": round(t_train, 1)}), flush=True)


if __name__ == "__main__":
    main()
