#!/usr/bin/env python3
"""The reference for `fedmesh bench training`: the same MLP, batch and optimizer as fedmesh's hand-written ND4J
trainer, in plain numpy on one BLAS thread.

Model: inputs -> hidden (ReLU) -> classes, softmax cross-entropy on the batch mean; each layer's weights and bias
in one (in + 1) x out matrix, as fedmesh keeps them; float32 matrix products. Adam in the form TensorFlow and
fedmesh use (lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)), fresh each run. Batches in a new shuffled
order every epoch.

The Java side writes the training rows (float32, row-major) and labels (int32) to files and runs this script once
per timed pass, alternating with its own passes; the script warms up on a few batches, times one pass of the given
epochs and prints one JSON object.
"""
import argparse
import json
import os
import sys
import time

# One BLAS thread, as each fedmesh member trains on one native thread; set before numpy loads its BLAS.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--features", required=True, help="float32 rows x cols, row-major, little-endian")
    p.add_argument("--labels", required=True, help="int32 class per row")
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--cols", type=int, required=True)
    p.add_argument("--classes", type=int, required=True)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--lr", type=float, default=0.001)
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args()


class Mlp:
    def __init__(self, widths, rng):
        self.layers = []
        for i, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
            feeds_relu = i < len(widths) - 2
            limit = np.sqrt(6.0 / fan_in) if feeds_relu else np.sqrt(6.0 / (fan_in + fan_out))
            w = np.zeros((fan_in + 1, fan_out), dtype=np.float32)
            w[:fan_in] = rng.uniform(-limit, limit, size=(fan_in, fan_out))
            self.layers.append(w)

    def loss_and_gradient(self, x, y):
        """Mean cross-entropy of the batch and the gradient of each layer's (in + 1) x out matrix."""
        n = x.shape[0]
        ones = np.ones((n, 1), dtype=np.float32)
        inputs, pre = [], []
        a = x
        for i, w in enumerate(self.layers):
            a1 = np.hstack((a, ones))
            inputs.append(a1)
            z = a1 @ w
            pre.append(z)
            a = np.maximum(z, 0) if i < len(self.layers) - 1 else z
        logits = a.astype(np.float64)
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_sum = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        log_p = shifted - log_sum
        loss = -log_p[np.arange(n), y].mean()
        delta = np.exp(log_p)
        delta[np.arange(n), y] -= 1
        delta = (delta / n).astype(np.float32)
        grads = [None] * len(self.layers)
        for i in range(len(self.layers) - 1, -1, -1):
            grads[i] = inputs[i].T @ delta
            if i > 0:
                delta = (delta @ self.layers[i][:-1].T) * (pre[i - 1] > 0)
        return loss, grads


class Adam:
    def __init__(self, shapes, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        self.m = [np.zeros(s, dtype=np.float32) for s in shapes]
        self.v = [np.zeros(s, dtype=np.float32) for s in shapes]
        self.lr, self.beta1, self.beta2, self.eps, self.t = lr, beta1, beta2, eps, 0

    def step(self, params, grads):
        self.t += 1
        step = np.float32(self.lr * np.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t))
        for w, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            w -= step * m / (np.sqrt(v) + self.eps)


def train(x, y, args, epochs, rng):
    model = Mlp([args.cols, args.hidden, args.classes], rng)
    adam = Adam([w.shape for w in model.layers], args.lr)
    rows = x.shape[0]
    loss = float("nan")
    for _ in range(epochs):
        order = rng.permutation(rows)
        for start in range(0, rows, args.batch):
            idx = order[start:start + args.batch]
            loss, grads = model.loss_and_gradient(x[idx], y[idx])
            adam.step(model.layers, grads)
    return loss


def main():
    args = parse_args()
    x = np.fromfile(args.features, dtype="<f4").reshape(args.rows, args.cols)
    y = np.fromfile(args.labels, dtype="<i4")
    if y.shape[0] != args.rows:
        sys.exit(f"{args.labels} holds {y.shape[0]} labels for {args.rows} rows")
    rng = np.random.default_rng(args.seed)
    warm = min(args.rows, 100 * args.batch)
    train(x[:warm], y[:warm], args, 1, rng)
    start = time.perf_counter()
    loss = train(x, y, args, args.epochs, rng)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "samples": args.rows * args.epochs,
        "seconds": seconds,
        "samples_per_second": args.rows * args.epochs / seconds,
        "last_batch_loss": loss,
        "numpy": np.__version__,
        "blas_threads": os.environ["OPENBLAS_NUM_THREADS"],
    }))


if __name__ == "__main__":
    main()
