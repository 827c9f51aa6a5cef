"""Measuring trained models out of sample: calibration, corrupted inputs, and the reference baselines."""
