"""The bottom layer: plain data and configuration (verdicts, the run configuration, the
Hypothesis profiles, loading files by path). No torch, no sympy."""
