"""`python -m cfc_sim` is the same as the `cfc-sim` command."""

import sys

from cfc_sim.cli import main

if __name__ == "__main__":
    sys.exit(main())
