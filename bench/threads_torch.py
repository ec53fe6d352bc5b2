"""PyTorch peer of bench/threads_bench.ts: SGD on an MSE regression from the
job on standard input ({sizes, x, y, init, lr, steps}); prints the median ms
per step over `rounds` timed blocks and the last loss, as JSON.

    OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/threads_torch.py 2 < job.json
"""
import json
import sys
import time

import torch


def main():
    torch.set_num_threads(int(sys.argv[1]))
    job = json.load(sys.stdin)
    sizes, init = job["sizes"], job["init"]
    params = []
    at = 0
    for nin, nout in zip(sizes[:-1], sizes[1:]):
        w, b = [], []
        for _ in range(nout):
            w.append(init[at:at + nin])
            b.append(init[at + nin])
            at += nin + 1
        params.append(torch.tensor(w, dtype=torch.float64).requires_grad_())
        params.append(torch.tensor(b, dtype=torch.float64).requires_grad_())
    x = torch.tensor(job["x"], dtype=torch.float64)
    y = torch.tensor(job["y"], dtype=torch.float64)
    last = len(params) // 2 - 1
    lr = job["lr"]

    def step():
        h = x
        for l in range(last + 1):
            h = torch.addmm(params[2 * l + 1], h, params[2 * l].t())
            if l < last:
                h = torch.relu(h)
        loss = ((h[:, 0] - y) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.sub_(lr * p.grad)
        return loss.item()

    losses = [step() for _ in range(job["steps"])]
    t0 = time.perf_counter()
    for _ in range(job["timed"]):
        step()
    ms = (time.perf_counter() - t0) * 1000 / job["timed"]
    print(json.dumps({"ms": ms, "losses": losses}))


main()
