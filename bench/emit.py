"""Prints a given number of bytes of training-like output as fast as the pipe takes it.

    python3 emit.py BYTES [lines|one-line]

`lines` (the default) prints lines such as `epoch=3 step=1200 loss=0.4132 accuracy=0.8811`;
`one-line` prints one line of that many bytes with no newline at all. Output goes straight
to file descriptor 1 in blocks of 1 MiB, so Python's own buffering (and PYTHONUNBUFFERED,
which the action sets) changes nothing: the action and the shell baseline see the same writes.
"""

import os
import random
import sys

BLOCK = 1024 * 1024
# Distinct text for 8 MiB, then it repeats: far beyond the 32 KiB window of deflate, so the
# log compresses like real output, yet building it costs well under a second.
DISTINCT_BLOCKS = 8


def training_blocks():
    rng = random.Random(42)
    step = 0
    blocks = []
    for _ in range(DISTINCT_BLOCKS):
        lines = []
        size = 0
        while size < BLOCK:
            step += 1
            line = (
                f"epoch={step // 5000} step={step} loss={rng.uniform(0.01, 2.5):.4f} "
                f"accuracy={rng.uniform(0.5, 1.0):.4f} lr={rng.uniform(1e-5, 1e-3):.2e}\n"
            )
            lines.append(line)
            size += len(line)
        blocks.append("".join(lines).encode("ascii"))
    return blocks


def one_line_blocks():
    return [b"x" * BLOCK]


def write_all(data):
    view = memoryview(data)
    while view:
        view = view[os.write(1, view) :]


def main():
    total = int(sys.argv[1])
    mode = sys.argv[2] if len(sys.argv) > 2 else "lines"
    blocks = one_line_blocks() if mode == "one-line" else training_blocks()
    written = 0
    index = 0
    while written < total:
        block = blocks[index % len(blocks)][: total - written]
        write_all(block)
        written += len(block)
        index += 1


main()
