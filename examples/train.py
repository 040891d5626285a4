"""Train a softmax (multinomial logistic regression) classifier on the Iris data.

The example command for the Background Training action, which runs a command
several times with a pause in between: each `--mode single` call trains one
epoch, resuming from the checkpoint the last call left, so the runs add up.

Usage:
    python train.py --mode single                     # one more epoch
    python train.py --mode full --epochs 20           # twenty more epochs
    python train.py --mode single --seconds-per-epoch 30

Each epoch prints a line such as `epoch=3 loss=0.4123 accuracy=0.8933`: the
cross-entropy on the training set and the accuracy on the held-out test set.
checkpoint.json and metrics.json (latest epoch) go to --checkpoint-dir. On
SIGINT or SIGTERM it saves the last completed epoch and exits with 128 + the
signal number (130 or 143).

Standard library only; Python 3.8+ on Linux, macOS and Windows.
"""
import argparse
import csv
import json
import math
import os
import random
import signal
import sys
import time
from pathlib import Path

FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
TEST_PER_CLASS = 10
BATCH_SIZE = 16
SLEEP_STEP = 0.1  # seconds; short, so that a signal ends a long pause promptly


class StopRequest:
    """Catches termination signals and remembers the first; training checks it."""

    def __init__(self):
        self.signum = 0
        for name in ("SIGINT", "SIGTERM", "SIGBREAK"):  # SIGBREAK: Ctrl+Break on Windows
            try:
                if hasattr(signal, name):
                    signal.signal(getattr(signal, name), self)
            except (OSError, ValueError):  # not settable here, or not the main thread
                pass

    def __call__(self, signum, frame):
        # Only set a flag: saving from inside the handler could catch an update
        # half done and store weights that belong to no epoch.
        self.signum = self.signum or signum


def split_indices(labels, seed):
    """Hold out TEST_PER_CLASS samples of each class, so the test set stays balanced."""
    rng = random.Random(seed)
    train, test = [], []
    for label in sorted(set(labels)):
        members = [i for i, y in enumerate(labels) if y == label]
        rng.shuffle(members)
        test += members[:TEST_PER_CLASS]
        train += members[TEST_PER_CLASS:]
    return sorted(train), sorted(test)


def prepare_data(path, seed):
    """Load and split the CSV; standardise with training statistics, so no test data leaks in."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    classes = sorted({row["species"] for row in rows})
    features = [[float(row[name]) for name in FEATURES] for row in rows]
    labels = [classes.index(row["species"]) for row in rows]
    train_idx, test_idx = split_indices(labels, seed)
    columns = list(zip(*(features[i] for i in train_idx)))
    means = [sum(col) / len(col) for col in columns]
    stds = [math.sqrt(sum((v - m) ** 2 for v in col) / len(col)) or 1.0
            for col, m in zip(columns, means)]
    scaled = [([(v - m) / s for v, m, s in zip(x, means, stds)], y)
              for x, y in zip(features, labels)]
    return [scaled[i] for i in train_idx], [scaled[i] for i in test_idx], classes


def probabilities(model, x):
    scores = [b + sum(w * v for w, v in zip(row, x))
              for row, b in zip(model["weights"], model["bias"])]
    top = max(scores)  # subtracting the largest score keeps exp() from overflowing
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def sgd_step(model, batch, learning_rate):
    """One step down the gradient of the batch's mean cross-entropy."""
    grad_w = [[0.0] * len(FEATURES) for _ in model["bias"]]
    grad_b = [0.0] * len(model["bias"])
    for x, y in batch:
        for k, p in enumerate(probabilities(model, x)):
            error = (p - (k == y)) / len(batch)
            grad_b[k] += error
            for j, v in enumerate(x):
                grad_w[k][j] += error * v
    for k, row in enumerate(model["weights"]):
        model["bias"][k] -= learning_rate * grad_b[k]
        for j in range(len(row)):
            row[j] -= learning_rate * grad_w[k][j]


def pause(seconds, stop):
    deadline = time.monotonic() + seconds
    while not stop.signum and time.monotonic() < deadline:
        time.sleep(max(0.0, min(SLEEP_STEP, deadline - time.monotonic())))


def train_epoch(state, train_set, args, stop):
    """Train the next epoch; return the new model, or None if a signal cut it short."""
    # Working on a copy leaves `state` as the last complete epoch, safe to save.
    model = {"weights": [row[:] for row in state["weights"]], "bias": state["bias"][:]}
    order = list(range(len(train_set)))
    # A seed per epoch, not a saved RNG state: a resumed run then shuffles
    # exactly as an uninterrupted one would.
    random.Random(args.seed * 1_000_003 + state["epoch"] + 1).shuffle(order)
    starts = range(0, len(order), BATCH_SIZE)
    for start in starts:
        if stop.signum:
            return None
        batch = [train_set[i] for i in order[start:start + BATCH_SIZE]]
        sgd_step(model, batch, args.learning_rate)
        pause(args.seconds_per_epoch / len(starts), stop)
    return None if stop.signum else model


def evaluate(model, train_set, test_set):
    """Cross-entropy on the training set and accuracy on the test set."""
    loss = -sum(math.log(max(probabilities(model, x)[y], 1e-12)) for x, y in train_set)
    predicted = [probabilities(model, x) for x, _ in test_set]
    hits = sum(p.index(max(p)) == y for p, (_, y) in zip(predicted, test_set))
    return loss / len(train_set), hits / len(test_set)


def write_json_atomically(path, data):
    # os.replace swaps the file in one step, so a reader or a later run sees
    # the old checkpoint or the new one, never a half-written file.
    tmp_path = path.with_name(path.name + ".tmp")
    with tmp_path.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(str(tmp_path), str(path))


def load_checkpoint(path, args, classes):
    if path.is_file():
        state = json.loads(path.read_text(encoding="utf-8"))
        if state["seed"] != args.seed:  # another seed means another test split
            sys.exit(f"{path} was trained with --seed {state['seed']}")
        return state
    # Zero weights give every class the same probability, so training starts
    # from a loss of ln 3 (about 1.1) with no random initialisation to redo.
    # Plain SGD keeps no optimiser state between steps; only its settings are kept.
    return {"epoch": 0, "seed": args.seed, "classes": classes,
            "weights": [[0.0] * len(FEATURES) for _ in classes],
            "bias": [0.0] * len(classes),
            "optimiser": {"name": "sgd", "batch_size": BATCH_SIZE}}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--mode", choices=("single", "full"), default="single",
                        help="single: one epoch per call; full: --epochs epochs")
    parser.add_argument("--epochs", type=int, default=10, help="epochs in full mode")
    # 0.05 lets the loss fall steadily from ln 3 over the first ten or so epochs
    # while test accuracy climbs; larger steps finish the story in two epochs.
    parser.add_argument("--learning-rate", type=float, default=0.05, help="SGD step size")
    parser.add_argument("--seed", type=int, default=0, help="test split and shuffling")
    parser.add_argument("--data", type=Path, help="Iris CSV",
                        default=Path(__file__).resolve().parent / "data" / "iris.csv")
    parser.add_argument("--checkpoint-dir", type=Path, default=Path("checkpoints"),
                        help="checkpoint.json and metrics.json go here")
    parser.add_argument("--seconds-per-epoch", type=float, default=0.0,
                        help="extra sleep per epoch, so a demo run lasts a while")
    return parser.parse_args(argv)


def main(argv=None):
    stop = StopRequest()
    args = parse_args(argv)
    if not args.data.is_file():
        sys.exit(f"data file not found: {args.data}")
    train_set, test_set, classes = prepare_data(args.data, args.seed)
    args.checkpoint_dir.mkdir(parents=True, exist_ok=True)
    checkpoint_path = args.checkpoint_dir / "checkpoint.json"
    state = load_checkpoint(checkpoint_path, args, classes)

    for _ in range(1 if args.mode == "single" else args.epochs):
        model = train_epoch(state, train_set, args, stop)
        if model is None:
            break
        optimiser = dict(state["optimiser"], learning_rate=args.learning_rate)
        state = dict(state, epoch=state["epoch"] + 1, optimiser=optimiser, **model)
        loss, accuracy = evaluate(model, train_set, test_set)
        write_json_atomically(checkpoint_path, state)
        write_json_atomically(args.checkpoint_dir / "metrics.json",
                              {"epoch": state["epoch"], "loss": loss, "accuracy": accuracy})
        print(f"epoch={state['epoch']} loss={loss:.4f} accuracy={accuracy:.4f}", flush=True)

    if stop.signum:
        name = signal.Signals(stop.signum).name
        print(f"received {name}, saving checkpoint at epoch={state['epoch']}", flush=True)
        write_json_atomically(checkpoint_path, state)
        return 128 + stop.signum
    return 0


if __name__ == "__main__":
    sys.exit(main())
