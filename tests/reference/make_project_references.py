"""Makes optimizers.json and circles_noise_free.json for denograd's tests.

Run with Debian's python3-torch and python3-sklearn:
    /usr/bin/python3 tests/reference/make_project_references.py
"""
import json
import pathlib

import torch
from sklearn.datasets import make_circles

torch.set_default_dtype(torch.float64)
here = pathlib.Path(__file__).parent

init = [0.5, -1.25, 2.0, 0.1, -0.3]
target = [1.0, 0.5, -1.0, 0.0, 2.0]
weight = [1.0, 2.0, 0.5, 3.0, 1.5]


def loss_fn(p):
    # sum_i w_i (p_i - t_i)^2 + tanh(p0 * p1) + sigmoid(p2) * p3
    t = torch.tensor(target)
    w = torch.tensor(weight)
    return (w * (p - t) ** 2).sum() + torch.tanh(p[0] * p[1]) + torch.sigmoid(p[2]) * p[3]


configs = {
    "sgd": lambda ps: torch.optim.SGD(ps, lr=0.05),
    "momentum": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9),
    "nesterov": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    "sgd_weight_decay": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.5, weight_decay=0.1),
    "adam": lambda ps: torch.optim.Adam(ps, lr=0.1),
    "adam_weight_decay": lambda ps: torch.optim.Adam(ps, lr=0.1, weight_decay=0.1),
    "adamw": lambda ps: torch.optim.AdamW(ps, lr=0.1, weight_decay=0.1),
}
out = {
    "generator": f"PyTorch {torch.__version__}, float64",
    "init": init,
    "target": target,
    "weight": weight,
    "loss": "sum_i w_i (p_i - t_i)^2 + tanh(p0 * p1) + sigmoid(p2) * p3",
    "steps": 25,
    "runs": {},
}
for name, make in configs.items():
    p = torch.tensor(init, requires_grad=True)
    opt = make([p])
    params = []
    losses = []
    for _ in range(out["steps"]):
        opt.zero_grad()
        loss = loss_fn(p)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        params.append(p.detach().tolist())
    out["runs"][name] = {"losses": losses, "params": params}
(here / "optimizers.json").write_text(json.dumps(out))

X, y = make_circles(n_samples=10, noise=0.0, shuffle=False, factor=0.5)
(here / "circles_noise_free.json").write_text(
    json.dumps({"n_samples": 10, "noise": 0.0, "shuffle": False, "factor": 0.5, "X": X.tolist(), "y": y.tolist()})
)
