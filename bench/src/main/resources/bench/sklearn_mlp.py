"""The scikit-learn yardstick of `alstream bench`: MLPClassifier (one hidden layer of 256, Adam, trained until
its own convergence test stops it) on the first N rows of each seed's stream order, for each label count N;
prints one line per (seed, N): seed,N,held-out accuracy,training seconds,iterations.

Usage: python3 sklearn_mlp.py DIR, where DIR holds stream.csv and held_out.csv (features..., label; no header),
orders.csv (seed, then the stream rows in that seed's order) and counts.txt (the label counts, one a line).
`python3 sklearn_mlp.py --check` exits 0 when scikit-learn can be imported.
"""
import sys
import time
import warnings

if len(sys.argv) > 1 and sys.argv[1] == "--check":
    import sklearn  # noqa: F401
    print(sklearn.__version__)
    sys.exit(0)

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

d = sys.argv[1]
hidden = int(sys.argv[2]) if len(sys.argv) > 2 else 256
stream = np.loadtxt(d + "/stream.csv", delimiter=",", ndmin=2)
held = np.loadtxt(d + "/held_out.csv", delimiter=",", ndmin=2)
xs, ys = stream[:, :-1], stream[:, -1].astype(int)
hx, hy = held[:, :-1], held[:, -1].astype(int)
counts = [int(line) for line in open(d + "/counts.txt") if line.strip()]
for line in open(d + "/orders.csv"):
    parts = line.strip().split(",")
    if len(parts) < 2:
        continue
    seed = int(parts[0])
    order = np.array([int(p) for p in parts[1:]])
    for n in counts:
        rows = order[:n]
        t0 = time.time()
        clf = MLPClassifier(hidden_layer_sizes=(hidden,), solver="adam", max_iter=1000, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(xs[rows], ys[rows])
        secs = time.time() - t0
        acc = float((clf.predict(hx) == hy).mean())
        print(f"{seed},{n},{acc:.6f},{secs:.3f},{clf.n_iter_}", flush=True)
