"""Calibration as a procedure (`cfc-sim calibrate SPACE_FILE`): history matching of the unpublished
assumptions against published figures, keeping every assumption set that fits.

One responsibility per module: `space` reads and checks the space file (parameters, figures,
conditions); `design` turns the unit cube into assumption sets (Latin hypercubes, scales, ties);
`emulator` is the Gaussian-process emulator and the implausibility (no simulation); `evaluate`
makes the scenario variants of an assumption set; `measure` runs one variant's replications and
measures its figures (the workers' unit of work, kept light); `procedure` runs the waves;
`outputs` writes the folder and the terminal summary.
"""
