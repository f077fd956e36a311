#!/usr/bin/python3
"""Reference Sparse VAE / VAE training + evaluation in PyTorch (CPU), written from the math of
specs/sparse-vae.md §1-§2.6 and §3.2 (NOT from the authors' code), on the project's own Moran
datasets exported by tools/reference/export_moran.ts.

Objective (minimised, per minibatch of actual size B; §2.2 "as the code computes it"):
  Recon  = (1/(2 B G)) sum_ij (x_ij - xhat_ij)^2 / sigma_j^2
  KL     = -(1/(2 B K)) sum_ik (1 + l_ik - mu_ik^2 - exp(l_ik))
  Wpen   = (1/B) sum_jk (lam1 p*_jk + lam0 (1 - p*_jk)) |w_jk|                (sparse only)
  SigPen = (1/B) [ (B + nu + 2) sum_j log sigma_j + (nu s / 2) sum_j sigma_j^-2 ]
After every optimiser step (sparse only), with the new W (code form, no Laplace normalisers):
  p*_jk = sigmoid(logit(eta_k) + (lam0 - lam1) |w_jk|);  eta_k = (sum_j p*_jk + a - 1)/(a + b + G - 2)
with a = 1, b = G.  Init p* = 0.5, eta ~ U(0,1), W ~ N(0,1), log sigma_j = log sd_j (full data,
ddof 0).  sigma prior nu = 3, s = sigmahat^2 * 0.58437 / 3, sigmahat = 5% quantile (linear
interpolation, np.quantile default) of the full-data column SDs (1e-3 if 0).

Models
  sparse : encoder Linear(G,H)-ReLU-Linear(H,H)-ReLU + heads H->K (mu, logvar);
           decoder xhat_ij = h_j(g(w_j * z_i)), g = Linear(K,H,no bias)-ReLU-Linear(H,H)-ReLU,
           h_j = Linear(H,1), vectorised ([B,G,K] -> [B*G,K] -> body -> [B,G,H] . V[G,H] + c[G]).
  vae    : same encoder; decoder Linear(K,H,no bias)-ReLU-Linear(H,H)-ReLU-Linear(H,G);
           same learned log sigma and SigPen as the sparse model (no W, no Wpen).
  vae_plain (sensitivity only): the VAE with sigma fixed to 1 and no SigPen.
Two Adam optimisers at lr 1e-2: network params; {W, log sigma} (for the VAE: {log sigma}).
200 epochs, batch 100, reshuffled every epoch, last partial batch kept.

Evaluation (test rows)
  mse_sampled: mean over test rows and features of (x - decode(z))^2, z ~ q(z|x) (one draw)
  mse_mean   : same with z = mu(x)
  support F1 : Shat = (|W| >= 0.01) & (p* >= 0.5); columns aligned to the two true factors by
               Hungarian assignment on |corr(z_mean_test, z_true_test)|; truth: rows 1-3 on
               factor 1, rows 4-6 on factor 2, row 7 on both (8 nonzeros); unmatched columns'
               nonzeros are false positives.  All-zero rows count as zero (no support).
               Dense VAE: support is all ones -> F1 = 2*(8/35)/(1+8/35) = 0.372.

Usage:
  torch_sparse_vae_fit.py --data-dir /tmp/moran --out tools/reference/torch_sparse_vae_results.json
  torch_sparse_vae_fit.py --selftest
"""
import argparse, json, math, os, time
import numpy as np
import torch, torch.nn as nn
from scipy.optimize import linear_sum_assignment

CHI2_3_Q10 = 0.58437  # chi2_3^{-1}(0.1)


def sigma_prior(sds, nu=3.0, q=0.05):
    sh = float(np.quantile(sds, q))
    if sh == 0:
        sh = 1e-3
    return nu, sh * sh * CHI2_3_Q10 / nu


class Encoder(nn.Module):
    def __init__(s, G, K, H):
        super().__init__()
        s.net = nn.Sequential(nn.Linear(G, H), nn.ReLU(), nn.Linear(H, H), nn.ReLU())
        s.mu = nn.Linear(H, K)
        s.lv = nn.Linear(H, K)

    def forward(s, x):
        h = s.net(x)
        return s.mu(h), s.lv(h)


class SparseVAE(nn.Module):
    def __init__(s, G, K, H, logsd):
        super().__init__()
        s.G, s.K, s.H = G, K, H
        s.enc = Encoder(G, K, H)
        s.body = nn.Sequential(nn.Linear(K, H, bias=False), nn.ReLU(), nn.Linear(H, H), nn.ReLU())
        # G per-feature heads Linear(H,1), stacked; PyTorch default init U(-1/sqrt(H), 1/sqrt(H))
        bnd = 1.0 / math.sqrt(H)
        s.V = nn.Parameter(torch.empty(G, H).uniform_(-bnd, bnd))
        s.c = nn.Parameter(torch.empty(G).uniform_(-bnd, bnd))
        s.W = nn.Parameter(torch.randn(G, K))
        s.logsig = nn.Parameter(torch.as_tensor(logsd, dtype=torch.float32).clone())

    def net_params(s):
        return list(s.enc.parameters()) + list(s.body.parameters()) + [s.V, s.c]

    def glob_params(s):
        return [s.W, s.logsig]

    def decode(s, z):
        B = z.shape[0]
        h = s.body((z[:, None, :] * s.W[None]).reshape(B * s.G, s.K)).reshape(B, s.G, s.H)
        return torch.einsum("bgh,gh->bg", h, s.V) + s.c


class DenseVAE(nn.Module):
    def __init__(s, G, K, H, logsd, learn_sigma=True):
        super().__init__()
        s.enc = Encoder(G, K, H)
        s.dec = nn.Sequential(nn.Linear(K, H, bias=False), nn.ReLU(), nn.Linear(H, H), nn.ReLU(), nn.Linear(H, G))
        s.learn_sigma = learn_sigma
        s.logsig = nn.Parameter(torch.as_tensor(logsd, dtype=torch.float32).clone()) if learn_sigma else None

    def net_params(s):
        return list(s.enc.parameters()) + list(s.dec.parameters())

    def glob_params(s):
        return [s.logsig] if s.learn_sigma else []

    def decode(s, z):
        return s.dec(z)


def loss_terms(m, x, pstar, nu, s_prior, lam0, lam1, prior_b=None):
    # B for Wpen/SigPen: the actual minibatch size (default, as the spec's §2.2 is written) or a
    # fixed configured batch size (prior_b, e.g. 100), which is what the released code does: it
    # divides by the constructor's batch_size, so the last partial batch (10 rows) still uses 100.
    B = x.shape[0] if prior_b is None else prior_b
    mu, lv = m.enc(x)
    z = mu + torch.exp(0.5 * lv) * torch.randn_like(mu)
    xh = m.decode(z)
    if getattr(m, "logsig", None) is not None:
        sig = torch.exp(m.logsig)
        rec = 0.5 * torch.mean(((x - xh) / sig) ** 2)
        sigpen = ((B + nu + 2.0) * m.logsig.sum() + 0.5 * nu * s_prior * torch.sum(sig ** -2)) / B
    else:
        rec = 0.5 * torch.mean((x - xh) ** 2)
        sigpen = torch.zeros(())
    kl = -0.5 * torch.mean(1 + lv - mu ** 2 - lv.exp())
    if isinstance(m, SparseVAE):
        wpen = torch.sum((lam1 * pstar + lam0 * (1 - pstar)) * m.W.abs()) / B
    else:
        wpen = torch.zeros(())
    return rec, kl, wpen, sigpen


def pstar_eta_update(W, eta, lam0, lam1, a, b):
    """Code form (§2.4): p* = eta e^{-lam1|w|} / (eta e^{-lam1|w|} + (1-eta) e^{-lam0|w|}),
    computed in log space; then eta from the new p*."""
    G = W.shape[0]
    aw = W.abs()
    pstar = torch.sigmoid(torch.log(eta) - torch.log1p(-eta) + (lam0 - lam1) * aw)
    eta = (pstar.sum(0) + a - 1.0) / (a + b + G - 2.0)
    eta = torch.where(eta < 0, torch.full_like(eta, 1e-10), eta)
    return pstar, eta


def fit(model_name, d, seed, K=5, H=50, batch=100, epochs=200, lr=1e-2, lam0=10.0, lam1=1.0, log_every=0,
        prior_batch="actual"):
    prior_b = None if prior_batch == "actual" else float(batch)
    torch.manual_seed(seed)
    X = np.asarray(d["x"], dtype=np.float32).reshape(d["n"], d["g"])
    G = d["g"]
    sds = X.astype(np.float64).std(axis=0)  # full data, ddof 0
    nu, s_prior = sigma_prior(sds)
    logsd = np.log(sds)
    if model_name == "sparse":
        m = SparseVAE(G, K, H, logsd)
    elif model_name == "vae":
        m = DenseVAE(G, K, H, logsd, True)
    elif model_name == "vae_plain":
        m = DenseVAE(G, K, H, logsd, False)
    else:
        raise ValueError(model_name)
    opt_net = torch.optim.Adam(m.net_params(), lr=lr, weight_decay=0.0)
    gp = m.glob_params()
    opt_glob = torch.optim.Adam(gp, lr=lr) if gp else None
    a, b = 1.0, float(G)
    pstar = torch.full((G, K), 0.5)
    eta = torch.rand(K)
    Xt = torch.from_numpy(X)
    train = torch.as_tensor(d["train"], dtype=torch.long)
    ntr = train.numel()
    t0 = time.perf_counter()
    hist = []
    for ep in range(epochs):
        perm = train[torch.randperm(ntr)]
        tot = np.zeros(5)
        for st in range(0, ntr, batch):
            xb = Xt[perm[st:st + batch]]
            opt_net.zero_grad()
            if opt_glob:
                opt_glob.zero_grad()
            rec, kl, wpen, sigpen = loss_terms(m, xb, pstar, nu, s_prior, lam0, lam1, prior_b)
            loss = rec + kl + wpen + sigpen
            loss.backward()
            opt_net.step()
            if opt_glob:
                opt_glob.step()
            if model_name == "sparse":
                with torch.no_grad():
                    pstar, eta = pstar_eta_update(m.W.detach(), eta, lam0, lam1, a, b)
            nb = xb.shape[0]
            tot += nb * np.array([loss.item(), rec.item(), kl.item(), wpen.item(), sigpen.item()])
        tot /= ntr
        if log_every and (ep % log_every == 0 or ep == epochs - 1):
            print(f"  ep {ep:3d} loss {tot[0]:.4f} rec {tot[1]:.4f} kl {tot[2]:.4f} wpen {tot[3]:.4f} sigpen {tot[4]:.4f}", flush=True)
        if ep == epochs - 1:
            hist = dict(loss=tot[0], rec=tot[1], kl=tot[2], wpen=tot[3], sigpen=tot[4])
    secs = time.perf_counter() - t0
    return m, pstar, eta, dict(nu=nu, s=s_prior, col_sd=sds.tolist(), secs=secs, final_epoch_means=hist)


def corr_abs(A, B):
    """|Pearson corr| between columns of A (n×p) and B (n×q); 0 for constant columns."""
    A = A - A.mean(0)
    B = B - B.mean(0)
    na = np.sqrt((A ** 2).sum(0))
    nb = np.sqrt((B ** 2).sum(0))
    C = (A.T @ B) / np.outer(np.where(na > 0, na, 1), np.where(nb > 0, nb, 1))
    C[na == 0, :] = 0
    C[:, nb == 0] = 0
    return np.abs(C)


def true_support(G, K, col_f1, col_f2):
    S = np.zeros((G, K), dtype=bool)
    S[[0, 1, 2, 6], col_f1] = True
    S[[3, 4, 5, 6], col_f2] = True
    return S


def support_scores(Shat, S):
    tp = int((Shat & S).sum())
    nhat, ntrue = int(Shat.sum()), int(S.sum())
    P = tp / nhat if nhat else 0.0
    R = tp / ntrue
    F1 = 2 * P * R / (P + R) if P + R > 0 else 0.0
    return dict(precision=P, recall=R, f1=F1, hamming=int((Shat != S).sum()), nnz=nhat)


@torch.no_grad()
def evaluate(m, pstar, d, model_name, eval_seed):
    X = np.asarray(d["x"], dtype=np.float32).reshape(d["n"], d["g"])
    Z = np.asarray(d["zTrue"], dtype=np.float64).reshape(d["n"], 2)
    te = np.asarray(d["test"])
    xt = torch.from_numpy(X[te])
    mu, lv = m.enc(xt)
    gen = torch.Generator().manual_seed(eval_seed)
    z = mu + torch.exp(0.5 * lv) * torch.randn(mu.shape, generator=gen)
    mse_s = torch.mean((xt - m.decode(z)) ** 2).item()
    mse_m = torch.mean((xt - m.decode(mu)) ** 2).item()
    mse_s_feat = torch.mean((xt - m.decode(z)) ** 2, 0).numpy()
    r2_feat = 1.0 - mse_s_feat / X[te].var(0)  # per-feature R^2 of the sampled-z reconstruction
    C = corr_abs(mu.double().numpy(), Z[te])  # K×2
    r, c = linear_sum_assignment(-C.T)  # rows: true factors, cols: codes
    col = {int(ri): int(ci) for ri, ci in zip(r, c)}
    G, K = X.shape[1], mu.shape[1]
    S = true_support(G, K, col[0], col[1])
    out = dict(mse_sampled=mse_s, mse_mean=mse_m, mse_sampled_per_feature=mse_s_feat.round(4).tolist(),
               r2_sampled_per_feature=r2_feat.round(4).tolist(),
               unfitted_features_1based=[int(j) + 1 for j in np.where(r2_feat < 0.1)[0]],
               align=[col[0], col[1]], abs_corr_aligned=[float(C[col[0], 0]), float(C[col[1], 1])],
               abs_corr=C.round(4).tolist(), posterior_sd_mean=torch.exp(0.5 * lv).mean(0).tolist())
    if model_name == "sparse":
        W = m.W.detach().double().numpy()
        P = pstar.double().numpy()
        Shat = (np.abs(W) >= 0.01) & (P >= 0.5)
        out.update(support_scores(Shat, S))
        zero_rows = [int(j) for j in range(G) if not Shat[j].any()]
        raw_zero_rows = [int(j) for j in range(G) if np.abs(W[j]).max() < 0.01]
        out.update(W=W.round(3).tolist(), pstar=P.round(3).tolist(), support_hat=Shat.astype(int).tolist(),
                   collapsed_rows_1based=[j + 1 for j in zero_rows], collapsed=len(zero_rows) > 0,
                   raw_zero_rows_1based=[j + 1 for j in raw_zero_rows],
                   max_abs_W_per_row=np.abs(W).max(1).round(4).tolist(),
                   sigma=torch.exp(m.logsig).tolist())
    else:
        out.update(support_scores(np.ones((G, K), dtype=bool), S))
        if getattr(m, "logsig", None) is not None:
            out["sigma"] = torch.exp(m.logsig).tolist()
    return out


def selftest():
    torch.manual_seed(0)
    # p* code-form table of §2.4
    lam0, lam1 = 10.0, 1.0
    for eta, ws, want in [(0.5, [0, 0.1, 0.25, 0.5, 1], [0.5, 0.7109, 0.9047, 0.9890, 0.9999]),
                          (0.2, [0, 0.1, 0.25, 0.5], [0.2, 0.3808, 0.7034, 0.9575])]:
        W = torch.tensor(ws, dtype=torch.float32)[:, None]
        p, _ = pstar_eta_update(W, torch.tensor([eta]), lam0, lam1, 1.0, 7.0)
        assert np.allclose(p[:, 0].numpy(), want, atol=1e-4), (eta, p[:, 0].tolist(), want)
    # vectorised decoder == looped per-feature decoder
    G, K, H = 7, 5, 50
    m = SparseVAE(G, K, H, np.zeros(G))
    z = torch.randn(13, K)
    heads = []
    for j in range(G):
        l = nn.Linear(H, 1)
        l.weight.data = m.V.data[j:j + 1].clone(); l.bias.data = m.c.data[j:j + 1].clone()
        heads.append(l)
    looped = torch.cat([heads[j](m.body(z * m.W[j])) for j in range(G)], 1)
    assert torch.allclose(looped, m.decode(z), atol=1e-5)
    # w_jk = 0 => xhat_j does not depend on z_k
    with torch.no_grad():
        m.W[2, 3] = 0
    z2 = z.clone(); z2[:, 3] += 5
    assert torch.allclose(m.decode(z)[:, 2], m.decode(z2)[:, 2])
    # sigma prior on the spec's SDs
    nu, s = sigma_prior(np.array([1.08, 2.0, 4.1, 4.0, 4.9, 4.0, 6.6]))
    assert abs(s - 0.36) < 0.01, s
    # dense F1
    S = true_support(7, 5, 0, 1)
    assert abs(support_scores(np.ones((7, 5), bool), S)["f1"] - 0.372) < 1e-3
    print("selftest ok")


def summarise(vals):
    v = np.asarray(vals, dtype=float)
    return dict(median=float(np.median(v)), q25=float(np.percentile(v, 25)), q75=float(np.percentile(v, 75)),
                mean=float(v.mean()), min=float(v.min()), max=float(v.max()), n=int(v.size))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="/tmp/moran")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_sparse_vae_results.json"))
    ap.add_argument("--runs", default="sparse:0.6:1-8,sparse:0:1-8,vae:0.6:1-5,vae_plain:0.6:1-5")
    ap.add_argument("--epochs", type=int, default=200)
    ap.add_argument("--log-every", type=int, default=0)
    ap.add_argument("--prior-batch", choices=["actual", "configured"], default="actual",
                    help="B dividing Wpen/SigPen: actual minibatch size, or the configured 100 (released code)")
    ap.add_argument("--selftest", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(1)
    if a.selftest:
        selftest(); raise SystemExit(0)
    runs = []
    for spec in a.runs.split(","):
        model, rho, seeds = spec.split(":")
        lo, hi = (int(t) for t in seeds.split("-"))
        for s in range(lo, hi + 1):
            path = os.path.join(a.data_dir, f"r{rho}_s{s}.json")
            d = json.load(open(path))
            m, pstar, eta, info = fit(model, d, s, epochs=a.epochs, log_every=a.log_every, prior_batch=a.prior_batch)
            ev = evaluate(m, pstar, d, model, eval_seed=10_000 + s)
            rec = dict(model=model, rho=float(rho), seed=s, source=d["source"], n_train=len(d["train"]),
                       n_test=len(d["test"]), eta=eta.tolist() if model == "sparse" else None, **info, **ev)
            runs.append(rec)
            print(json.dumps(dict(model=model, rho=float(rho), seed=s, mse_sampled=round(ev["mse_sampled"], 4),
                                  mse_mean=round(ev["mse_mean"], 4), f1=round(ev["f1"], 3), hamming=ev["hamming"],
                                  zero_rows_thr=ev.get("collapsed_rows_1based"), zero_rows_raw=ev.get("raw_zero_rows_1based"),
                                  unfitted=ev["unfitted_features_1based"], secs=round(info["secs"], 1))), flush=True)
    summary = {}
    for key in sorted({(r["model"], r["rho"]) for r in runs}):
        rs = [r for r in runs if (r["model"], r["rho"]) == key]
        summary[f"{key[0]}@rho={key[1]}"] = dict(
            mse_sampled=summarise([r["mse_sampled"] for r in rs]), mse_mean=summarise([r["mse_mean"] for r in rs]),
            f1=summarise([r["f1"] for r in rs]), hamming=summarise([r["hamming"] for r in rs]),
            n_runs_with_thresholded_zero_row=sum(1 for r in rs if r.get("collapsed")),
            n_runs_with_raw_zero_row=sum(1 for r in rs if r.get("raw_zero_rows_1based")),
            n_runs_with_unfitted_feature=sum(1 for r in rs if r["unfitted_features_1based"]), n_runs=len(rs))
    out = dict(
        description="PyTorch reference Sparse VAE / VAE on the project's synthetic:moran data; written from specs/sparse-vae.md §2 math by tools/reference/torch_sparse_vae_fit.py",
        engine=f"torch-{torch.__version__}", threads=torch.get_num_threads(),
        settings=dict(K=5, H=50, batch=100, epochs=a.epochs, prior_batch=a.prior_batch, lr=1e-2, lam0=10.0, lam1=1.0, a=1, b="G", nu=3,
                      s="sigmahat^2*0.58437/3, sigmahat=np.quantile(full-data col SDs (ddof 0), 0.05)",
                      logsigma_init="log full-data col SD (ddof 0)", pstar_form="code (no Laplace normalisers)",
                      support_threshold="|W|>=0.01 and p*>=0.5", alignment="Hungarian on |corr(z_mean, z_true)| over test rows",
                      eval_sample_seed="torch.Generator seed 10000+seed", vae="learned log sigma + SigPen (same loss as sparse minus Wpen)",
                      vae_plain="sensitivity: sigma fixed at 1, no SigPen",
                      collapse_definitions=dict(
                          thresholded_zero_row="row j of the thresholded support (|W|>=0.01 & p*>=0.5) is empty",
                          raw_zero_row="max_k |W_jk| < 0.01",
                          unfitted_feature="test R^2 of feature j (sampled z) < 0.1, R^2 = 1 - mse_j / var_test(x_j)")),
        summary=summary, runs=runs)
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", a.out)
