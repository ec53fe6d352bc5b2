"""PyTorch peer of bench/report.ts: trains the job read from standard input
(see bench/_job.ts) and prints the result as JSON.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
      /usr/bin/python3 bench/peers/torch_peer.py float64 1 < job.json

The second argument is the thread count (default 1): the report pins the
variables above to it, and this calls torch.set_num_threads() with it. The
report unsets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE in this command's env, so
OpenBLAS picks its own kernels for this CPU (PyTorch at its best). nn.Linear's
layout (weight [nout, nin]); the loss is micrograd's: the data loss (SVM,
softmax cross-entropy, or MSE against -1/+1 targets) plus alpha * sum(p * p);
plain SGD at the episode's learning rate.
"""
import json
import math
import sys
import time

import torch


def layers_of(sizes, init):
    """The float64 (weight [nout, nin], bias [nout]) of each layer, from
    `init` in micrograd's order: per layer, per neuron, its weights then its bias."""
    layers = []
    at = 0
    for nin, nout in zip(sizes[:-1], sizes[1:]):
        w = []
        b = []
        for _ in range(nout):
            w.append(init[at:at + nin])
            at += nin
            b.append(init[at])
            at += 1
        layers.append((torch.tensor(w, dtype=torch.float64), torch.tensor(b, dtype=torch.float64)))
    return layers


def forward(params, x):
    """The outputs of the MLP whose params are [w0, b0, w1, b1, ...]: ReLU hidden layers, a linear last one."""
    h = x
    last = len(params) // 2 - 1
    for l in range(last + 1):
        h = torch.addmm(params[2 * l + 1], h, params[2 * l].t())
        if l < last:
            h = torch.relu(h)
    return h


def sgd_step(params, loss, lr):
    """Backward from `loss` (grads cleared first), then plain SGD `p -= lr * grad`; returns the loss."""
    for p in params:
        p.grad = None
    loss.backward()
    with torch.no_grad():
        for p in params:
            p.sub_(lr * p.grad)
    return loss.item()


def main():
    torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    dtype_name = sys.argv[1]
    dtype = {"float64": torch.float64, "float32": torch.float32}[dtype_name]
    job = json.load(sys.stdin)
    sizes = job["sizes"]
    init = job["init"]
    alpha = job["alpha"]
    episode = job["episode"]
    n = len(job["x"])

    init_layers = layers_of(sizes, init)
    params = []
    for w, b in init_layers:
        params.append(w.to(dtype).clone().requires_grad_())
        params.append(b.to(dtype).clone().requires_grad_())

    x = torch.tensor(job["x"], dtype=torch.float64).to(dtype)
    if job["loss"] in ("svm", "mse"):
        target = torch.tensor([1.0 if c == 1 else -1.0 for c in job["y"]], dtype=torch.float64).to(dtype)
    else:
        target = torch.tensor(job["y"], dtype=torch.long)

    def reset():
        with torch.no_grad():
            for l, (w, b) in enumerate(init_layers):
                params[2 * l].copy_(w)
                params[2 * l + 1].copy_(b)

    def step(lr):
        h = forward(params, x)
        if job["loss"] == "svm":
            data = torch.relu(1 - target * h[:, 0]).mean()
        elif job["loss"] == "mse":
            data = ((h[:, 0] - target) ** 2).mean()
        else:
            data = torch.nn.functional.cross_entropy(h, target)
        reg = sum((p * p).sum() for p in params)
        return sgd_step(params, data + alpha * reg, lr)

    times = []
    losses = []
    start = time.perf_counter()
    t = 0
    while t < job["maxSteps"] and (t < job["minSteps"] or (time.perf_counter() - start) * 1000 < job["budgetMs"]):
        k = t % episode
        if k == 0:
            reset()
        lr = job["lr"] * (1 - 0.9 * k / episode)
        t0 = time.perf_counter()
        value = step(lr)
        times.append((time.perf_counter() - t0) * 1000)
        if t < episode:
            # JSON has no Infinity or NaN: send null, as JavaScript's JSON.stringify does.
            losses.append(value if math.isfinite(value) else None)
        t += 1

    print(json.dumps({
        "system": "PyTorch",
        "version": torch.__version__,
        "dtype": dtype_name,
        "threads": torch.get_num_threads(),
        "times": times,
        "losses": losses,
    }))


if __name__ == "__main__":
    main()
