"""One replication of the model M/M/c of bench_case_cost.py, as a script to profile:

    python -m cProfile -s tottime benchmarks/profile_mmc.py [--quick] | head -30
"""

from __future__ import annotations

import sys

from bench_case_cost import CAP, FCAS, LAMBDA, WORK
from common import mmc_dict

from cfc_sim.model import simulate
from cfc_sim.scenario.loading import config_from_dict

if __name__ == "__main__":
    months = 12 if "--quick" in sys.argv[1:] else 59
    config = config_from_dict(mmc_dict(arrivals_per_day=LAMBDA, work_mean_days=WORK, fcas=FCAS, cap=CAP,
                                       months=months))
    simulate(config, 0)
