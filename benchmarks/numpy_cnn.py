#!/usr/bin/env python3
"""The CNN reference for `fedmesh bench training`: fedmesh's cnn:C1,C2 in plain numpy with im2col, one BLAS thread.

Model: square single-channel images; per convolution a 5x5 kernel without padding, ReLU and 2x2 max pooling; then
one dense softmax layer reading the pooled maps in (row, column, channel) order; softmax cross-entropy on the batch
mean. Activations channels-last; each convolution is one im2col gather and one float32 matrix product, as in
fedmesh's ConvBackprop. SGD with momentum (the optimizer fedmesh's demo uses for images), batches in a new shuffled
order every epoch.

Same input files and output as numpy_mlp.py: the Java side writes the rows once and runs this script once per timed
pass; the script warms up on a few batches, times one pass and prints one JSON object.
"""
import argparse
import json
import os
import sys
import time

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402
from numpy.lib.stride_tricks import sliding_window_view  # noqa: E402

K = 5
P = 2


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--features", required=True, help="float32 rows x pixels, row-major, little-endian")
    p.add_argument("--labels", required=True, help="int32 class per row")
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--cols", type=int, required=True)
    p.add_argument("--classes", type=int, required=True)
    p.add_argument("--channels", default="16,32")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args()


class Cnn:
    def __init__(self, side, channels, classes, rng):
        self.layers = []
        c_in, s = 1, side
        for c_out in channels:
            fan_in = K * K * c_in
            w = np.zeros((fan_in + 1, c_out), dtype=np.float32)
            w[:fan_in] = rng.uniform(-1, 1, size=(fan_in, c_out)) * np.sqrt(6.0 / fan_in)
            self.layers.append(w)
            c_in, s = c_out, (s - K + 1) // P
        features = c_in * s * s
        w = np.zeros((features + 1, classes), dtype=np.float32)
        w[:features] = rng.uniform(-1, 1, size=(features, classes)) * np.sqrt(6.0 / (features + classes))
        self.layers.append(w)

    def loss_and_gradient(self, images, y):
        n = images.shape[0]
        x = images  # n x side x side x channels
        saved = []
        for w in self.layers[:-1]:
            side, c_in = x.shape[1], x.shape[3]
            o = side - K + 1
            # n x o x o x c x K x K -> rows (image, y, x), columns (ky, kx, c) as fedmesh orders them
            windows = sliding_window_view(x, (K, K), axis=(1, 2)).transpose(0, 1, 2, 4, 5, 3)
            cols = np.empty((n * o * o, K * K * c_in + 1), dtype=np.float32)
            cols[:, :-1] = windows.reshape(n * o * o, K * K * c_in)
            cols[:, -1] = 1
            out = np.maximum(cols @ w, 0).reshape(n, o, o, -1)
            p = o // P
            trimmed = out[:, :p * P, :p * P, :].reshape(n, p, P, p, P, -1)
            pooled = trimmed.max(axis=(2, 4))
            saved.append((x.shape, cols, out, trimmed, pooled))
            x = pooled
        feats = x.reshape(n, -1)
        dense_in = np.hstack((feats, np.ones((n, 1), dtype=np.float32)))
        logits = (dense_in @ self.layers[-1]).astype(np.float64)
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -log_p[np.arange(n), y].mean()
        delta = np.exp(log_p)
        delta[np.arange(n), y] -= 1
        delta = (delta / n).astype(np.float32)
        grads = [None] * len(self.layers)
        grads[-1] = dense_in.T @ delta
        d_pooled = (delta @ self.layers[-1][:-1].T).reshape(x.shape)
        for i in range(len(self.layers) - 2, -1, -1):
            in_shape, cols, out, trimmed, pooled = saved[i]
            # Route each pooled gradient to its window's maximum (ties share, which random floats never have).
            mask = trimmed == pooled[:, :, None, :, None, :]
            d_out = np.zeros_like(out)
            p = pooled.shape[1]
            d_out[:, :p * P, :p * P, :] = (mask * d_pooled[:, :, None, :, None, :]).reshape(
                out.shape[0], p * P, p * P, -1)
            d_out *= out > 0
            d_flat = d_out.reshape(-1, out.shape[3])
            grads[i] = cols.T @ d_flat
            if i > 0:
                d_cols = (d_flat @ self.layers[i][:-1].T).reshape(
                    in_shape[0], out.shape[1], out.shape[2], K, K, in_shape[3])
                d_in = np.zeros(in_shape, dtype=np.float32)
                for ky in range(K):
                    for kx in range(K):
                        d_in[:, ky:ky + out.shape[1], kx:kx + out.shape[2], :] += d_cols[:, :, :, ky, kx, :]
                d_pooled = d_in
        return loss, grads


def train(x, y, args, channels, epochs, rng):
    side = int(round(np.sqrt(args.cols)))
    model = Cnn(side, channels, args.classes, rng)
    velocity = [np.zeros_like(w) for w in model.layers]
    images = x.reshape(-1, side, side, 1)
    loss = float("nan")
    for _ in range(epochs):
        order = rng.permutation(x.shape[0])
        for start in range(0, x.shape[0], args.batch):
            idx = order[start:start + args.batch]
            loss, grads = model.loss_and_gradient(images[idx], y[idx])
            for w, g, v in zip(model.layers, grads, velocity):
                v *= args.momentum
                v += g
                w -= args.lr * v
    return loss


def main():
    args = parse_args()
    channels = [int(c) for c in args.channels.split(",")]
    x = np.fromfile(args.features, dtype="<f4").reshape(args.rows, args.cols)
    y = np.fromfile(args.labels, dtype="<i4")
    if y.shape[0] != args.rows:
        sys.exit(f"{args.labels} holds {y.shape[0]} labels for {args.rows} rows")
    rng = np.random.default_rng(args.seed)
    warm = min(args.rows, 20 * args.batch)
    train(x[:warm], y[:warm], args, channels, 1, rng)
    start = time.perf_counter()
    loss = train(x, y, args, channels, args.epochs, rng)
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
