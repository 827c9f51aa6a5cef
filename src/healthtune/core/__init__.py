"""The vocabulary and configuration of a run: enums, exceptions, defaults, OptimizationConfig and the scoring weights."""
