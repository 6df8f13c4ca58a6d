"""The reference program of the whole-process benchmarks: a bare SimPy M/M/c, nothing else.

A generator process per customer requests a `simpy.Resource(capacity=c)`, holds it for an
exponential service time and releases it; inter-arrival and service times are numpy draws taken
4,096 at a time. Run as a script it is the whole process the benchmarks time against
(`python benchmarks/bare_mmc.py --cases N`: interpreter start, `import simpy, numpy`, the run),
printing one JSON line with the customers arrived and served.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import simpy

LAMBDA = 100.0  # arrivals per day
WORK = 5.0  # mean work (service) days
C = 600  # servers (30 FCAs x caseload cap 20): rho = 0.83
BATCH = 4096


def bare_mmc(lam: float, mean_service: float, c: int, horizon: float, seed: int) -> tuple[int, int]:
    """Bare SimPy M/M/c: returns (customers arrived, customers served) by `horizon`."""
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=c)
    rng = np.random.default_rng(seed)
    counts = [0, 0]  # arrived, served

    def batches(scale: float):  # endless iterator over exponential draws, BATCH at a time
        while True:
            yield from rng.exponential(scale, BATCH).tolist()

    services = batches(mean_service)

    def customer(service: float):
        with servers.request() as req:
            yield req
            yield env.timeout(service)
        counts[1] += 1

    def source():
        for gap in batches(1.0 / lam):
            yield env.timeout(gap)
            counts[0] += 1
            env.process(customer(next(services)))

    env.process(source())
    env.run(until=horizon)
    return counts[0], counts[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, required=True, help="customers to expect (horizon = cases / lambda)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    arrived, served = bare_mmc(LAMBDA, WORK, C, args.cases / LAMBDA, args.seed)
    print(json.dumps({"arrived": arrived, "served": served}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
