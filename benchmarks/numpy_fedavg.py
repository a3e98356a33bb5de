#!/usr/bin/env python3
"""A plain single-process FedAvg simulation in numpy: the yardstick for the demo's time to accuracy.

The same MLP as numpy_mlp.py (and fedmesh's hand-written trainer), trained on exactly the members' rows the demo
gives its members, one member after another on one BLAS thread: each round every member starts from the global
weights, trains its local epochs with SGD (v = momentum * v + g; w -= lr * v; fresh each round) in a new shuffled
order, and the global weights become the row-weighted mean of the members' weights (FedAvg, server rate 1). No
network, no masks, no checkpoints: only the arithmetic of federated averaging. The clock runs over training and
averaging only, not over the per-round test evaluation.

Files in --dir: member-<i>.f32 / member-<i>.i32 (i = 1..members) and test.f32 / test.i32, float32 row-major
features and int32 labels. Prints one JSON object with the accuracy and elapsed seconds after every round.
"""
import argparse
import json
import os
import sys
import time

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_mlp import Mlp  # noqa: E402  the very model the training bench measures


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", required=True)
    p.add_argument("--members", type=int, required=True)
    p.add_argument("--cols", type=int, required=True)
    p.add_argument("--classes", type=int, required=True)
    p.add_argument("--hidden", default="128", help="hidden widths, comma-separated; empty for softmax regression")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--local-epochs", type=int, default=1)
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--target", type=float, default=0.87)
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args()


def load(directory, name, cols):
    x = np.fromfile(os.path.join(directory, name + ".f32"), dtype="<f4")
    y = np.fromfile(os.path.join(directory, name + ".i32"), dtype="<i4")
    return x.reshape(-1, cols), y


def local_training(model, x, y, args, rng):
    velocity = [np.zeros_like(w) for w in model.layers]
    rows = x.shape[0]
    for _ in range(args.local_epochs):
        order = rng.permutation(rows)
        for start in range(0, rows, args.batch):
            idx = order[start:start + args.batch]
            _, grads = model.loss_and_gradient(x[idx], y[idx])
            for w, g, v in zip(model.layers, grads, velocity):
                v *= np.float32(args.momentum)
                v += g
                w -= np.float32(args.lr) * v


def accuracy(model, x, y):
    a = x
    ones = np.ones((x.shape[0], 1), dtype=np.float32)
    for i, w in enumerate(model.layers):
        z = np.hstack((a, ones)) @ w
        a = np.maximum(z, 0) if i < len(model.layers) - 1 else z
    return float((a.argmax(axis=1) == y).mean())


def main():
    args = parse_args()
    members = [load(args.dir, f"member-{i}", args.cols) for i in range(1, args.members + 1)]
    test_x, test_y = load(args.dir, "test", args.cols)
    hidden = [int(h) for h in args.hidden.split(",") if h]
    rng = np.random.default_rng(args.seed)
    global_model = Mlp([args.cols] + hidden + [args.classes], rng)
    rows = np.array([x.shape[0] for x, _ in members], dtype=np.float64)
    weights = rows / rows.sum()
    elapsed = 0.0
    accuracy_per_round, seconds_per_round = [], []
    seconds_to_target = None
    for _ in range(args.rounds):
        start = time.perf_counter()
        summed = [np.zeros_like(w) for w in global_model.layers]
        for (x, y), share in zip(members, weights):
            local = Mlp.__new__(Mlp)
            local.layers = [w.copy() for w in global_model.layers]
            local_training(local, x, y, args, rng)
            for s, w in zip(summed, local.layers):
                s += np.float32(share) * w
        global_model.layers = summed
        elapsed += time.perf_counter() - start
        acc = accuracy(global_model, test_x, test_y)
        accuracy_per_round.append(acc)
        seconds_per_round.append(elapsed)
        if seconds_to_target is None and acc >= args.target:
            seconds_to_target = elapsed
    print(json.dumps({
        "accuracy_per_round": accuracy_per_round,
        "seconds_per_round": seconds_per_round,
        "target_accuracy": args.target,
        "seconds_to_target": seconds_to_target,
        "final_accuracy": accuracy_per_round[-1],
        "numpy": np.__version__,
        "blas_threads": os.environ["OPENBLAS_NUM_THREADS"],
    }))


if __name__ == "__main__":
    main()
