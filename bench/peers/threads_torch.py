"""PyTorch peer of bench/threads_bench.ts: SGD on an MSE regression from the
job on standard input ({sizes, x, y, init, lr, steps, timed}); prints the losses
of the first `steps` steps and the mean ms of `timed` more, as JSON. The model, its
step and its update are torch_peer.py's.

    OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/peers/threads_torch.py 2 < job.json
"""
import json
import sys
import time

import torch

from torch_peer import forward, layers_of, sgd_step


def main():
    torch.set_num_threads(int(sys.argv[1]))
    job = json.load(sys.stdin)
    params = [t.requires_grad_() for layer in layers_of(job["sizes"], job["init"]) for t in layer]
    x = torch.tensor(job["x"], dtype=torch.float64)
    y = torch.tensor(job["y"], dtype=torch.float64)
    lr = job["lr"]

    def step():
        return sgd_step(params, ((forward(params, x)[:, 0] - y) ** 2).mean(), lr)

    losses = [step() for _ in range(job["steps"])]
    t0 = time.perf_counter()
    for _ in range(job["timed"]):
        step()
    ms = (time.perf_counter() - t0) * 1000 / job["timed"]
    print(json.dumps({"ms": ms, "losses": losses}))


main()
