#!/usr/bin/env python3
"""Paired whole-process timing: runs A and B in turn (A B A B ...) after warm-ups and prints the median wall time of
each and the median of the per-pair ratios A/B, so that drift in the machine's speed cancels out pair by pair.

usage: paired.py RUNS 'command A' 'command B'
"""
import shlex
import statistics
import subprocess
import sys
import time


def once(argv):
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {done.returncode}")
    return elapsed


def main():
    runs, a, b = int(sys.argv[1]), shlex.split(sys.argv[2]), shlex.split(sys.argv[3])
    for _ in range(2):
        once(a)
        once(b)
    ta, tb = [], []
    for _ in range(runs):
        ta.append(once(a))
        tb.append(once(b))
    ratios = [x / y for x, y in zip(ta, tb)]
    print(f"A {statistics.median(ta) * 1000:.0f} ms, B {statistics.median(tb) * 1000:.0f} ms, "
          f"A/B median {statistics.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f}), {runs} pairs")


if __name__ == "__main__":
    main()
