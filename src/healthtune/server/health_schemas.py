"""A trial's health report as the API serves it: health.json, typed so the UI's types come from the schema."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from healthtune.health.defaults import CRITICAL_HEALTH_CAP, LEARNED_GAIN, NOT_LEARNED_GAIN

Severity = Literal["info", "warning", "critical"]


class FindingOut(BaseModel):
    """One problem (or note) health found, in words, with what to try."""

    severity: Severity
    metric: str = Field(description="the metric it concerns")
    layer: str | None = Field(
        None, description="the layer, by its path in the model; null for the whole model"
    )
    title: str
    explanation: str
    suggestion: str


class HealthGateOut(BaseModel):
    """What turns the weighted metrics into health: health = min(weighted x learning_factor, cap)."""

    gain: float = Field(description="the share of what guessing gets wrong that the model gets right")
    chance: float = Field(description="validation accuracy of always guessing the most common class")
    learning_factor: float = Field(description=f"min(1, gain / {LEARNED_GAIN}): the learning gate")
    cap: float = Field(description=f"{CRITICAL_HEALTH_CAP} while a critical finding stands, else 1")
    worst_severity: Severity | None = Field(None, description="of the findings; null without findings")
    learned: bool = Field(True, description=f"false: gain below {NOT_LEARNED_GAIN}, the model did not learn")


class HealthReportOut(BaseModel):
    """health.json: the metrics (0-1), their raw diagnostics, the gate, the findings and the probes."""

    version: int | None = Field(
        None, description="health.json's layout; null for runs before the learning gate"
    )
    metrics: dict[str, float | None] = Field(description="each health metric, 0 (unhealthy) to 1")
    details: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="per metric, the raw measurements it was computed from"
    )
    overfitting_gap: float | None = Field(None, description="train accuracy minus validation accuracy")
    gate: HealthGateOut | None = Field(None, description="null for runs before the learning gate")
    findings: list[FindingOut] = Field(default_factory=list)
    weighted: float | None = Field(None, description="the metrics weighed by `proportions`, before the gate")
    overall: float | None = Field(None, description="health: `weighted` through the gate")
    proportions: dict[str, float] | None = Field(None, description="the metric proportions `overall` used")
    inputs: dict[str, Any] = Field(
        default_factory=dict, description="what re-scoring recomputes the metrics from"
    )
    snapshots: list[dict[str, Any]] = Field(
        default_factory=list, description="each probe: per-layer unit activity and gradient norms"
    )
    notes: list[str] = Field(default_factory=list, description="what the probes could not read (own models)")
