"""Makes gelu_trajectory.json and leaky_relu_trajectory.json for denograd's tests.

Two full-batch training runs in PyTorch (float64) on micrograd's demo moons
(`X`, `y` of train_trajectory.json), one per activation added by issue 16:

- gelu: MLP 2-16-16-1, GELU (`approximate="tanh"`) hidden, linear output,
  loss `mean(relu(1 - y*score)) + 1e-4 * sum(p*p)` with y = 2*label - 1,
  SGD with a constant lr of 0.3, 100 steps.
- leaky-relu: MLP 2-8-8-2, leaky ReLU (negative slope 0.01) hidden, linear
  output, softmax cross-entropy (mean) on classes 0/1, Adam(lr=0.01), 100 steps.

Run with Debian's python3-torch:
    /usr/bin/python3 tests/reference/make_activation_refs.py
"""
import json
import pathlib

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
here = pathlib.Path(__file__).parent
demo = json.loads((here / "train_trajectory.json").read_text())
X = torch.tensor(demo["X"])
y01 = torch.tensor(demo["y"]).long()  # 0/1
y_pm = (y01 * 2 - 1).double()  # -1/+1


def make_params(sizes, seed):
    """Weights uniform in [-1, 1] and biases 0, as micrograd's Neuron."""
    g = torch.Generator().manual_seed(seed)
    layers = []
    for nin, nout in zip(sizes[:-1], sizes[1:]):
        w = (torch.rand(nout, nin, generator=g) * 2 - 1).requires_grad_()
        b = torch.zeros(nout, requires_grad=True)
        layers.append((w, b))
    return layers


def flat(layers, of=lambda t: t.detach()):
    """micrograd's order: for each layer, for each neuron, its weights then its bias."""
    out = []
    for w, b in layers:
        w, b = of(w), of(b)
        for j in range(w.shape[0]):
            out += w[j].tolist() + [b[j].item()]
    return out


def forward(layers, x, act):
    for i, (w, b) in enumerate(layers):
        x = x @ w.T + b
        if i < len(layers) - 1:
            x = act(x)
    return x


def run(name, sizes, act, loss_fn, make_opt, steps, seed, extra):
    layers = make_params(sizes, seed)
    params = [t for wb in layers for t in wb]
    opt = make_opt(params)
    init = flat(layers)
    losses = []
    first_grads = None
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(forward(layers, X, act), params)
        loss.backward()
        if first_grads is None:
            first_grads = flat(layers, lambda t: t.grad)
        losses.append(loss.item())
        opt.step()
    return {
        "name": name,
        "generator": f"PyTorch {torch.__version__}, float64",
        "sizes": sizes,
        "param_order": "for each layer, for each neuron: its weights, then its bias",
        **extra,
        "X": demo["X"],
        "y": demo["y"],
        "init_params": init,
        "first_step_grads": first_grads,
        "losses": losses,
        "final_params": flat(layers),
    }


def svm_l2(out, params):
    data = F.relu(1 - y_pm * out[:, 0]).mean()
    return data + 1e-4 * sum((p * p).sum() for p in params)


gelu = run(
    "gelu-svm-sgd",
    [2, 16, 16, 1],
    lambda x: F.gelu(x, approximate="tanh"),
    svm_l2,
    lambda ps: torch.optim.SGD(ps, lr=0.3),
    100,
    16,
    {
        "activation": "gelu",
        "loss": "svm",
        "l2": 1e-4,
        "optimizer": "sgd",
        "lr": 0.3,
        "note": "loss: mean(relu(1 - y*score)) + l2 * sum(p*p) where y in {-1,+1} is 2*label-1 (y here is the 0/1 label); losses[k] is the loss before step k's update",
    },
)
(here / "gelu_trajectory.json").write_text(json.dumps(gelu))

leaky = run(
    "leaky-relu-ce-adam",
    [2, 8, 8, 2],
    lambda x: F.leaky_relu(x, 0.01),
    lambda out, params: F.cross_entropy(out, y01),
    lambda ps: torch.optim.Adam(ps, lr=0.01),
    100,
    17,
    {
        "activation": "leaky-relu",
        "slope": 0.01,
        "loss": "ce",
        "l2": 0,
        "optimizer": "adam",
        "lr": 0.01,
        "note": "loss: mean softmax cross-entropy; Adam with default betas and eps; losses[k] is the loss before step k's update",
    },
)
(here / "leaky_relu_trajectory.json").write_text(json.dumps(leaky))
print("gelu", gelu["losses"][0], gelu["losses"][-1])
print("leaky", leaky["losses"][0], leaky["losses"][-1])
