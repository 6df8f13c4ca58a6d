"""`python -m cfc_sim` is the same as the `cfc-sim` command."""

from cfc_sim.cli import program

if __name__ == "__main__":
    program()
