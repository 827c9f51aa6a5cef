"""Model health: probes during training, the eight metrics, findings, and the report in health.json."""

from healthtune.health.metrics import METRIC_NAMES

__all__ = ["METRIC_NAMES"]
