"""3D layout: log-scaled block sizes, positions along the data flow, and score colours (red to green)."""

from __future__ import annotations

import colorsys
import math
from collections.abc import Sequence

LEVEL_SPACING = 1.0
"""Gap along z between consecutive levels of the data flow."""

SIDE_GAP = 1.0
"""Gap along x between layers that sit on the same level (parallel branches)."""

SLAB = 0.5
"""Thickness of flat blocks (vectors and sequences)."""

CHANNEL_DEPTH = 0.5
"""Depth per log-scaled channel of an image-like block: depth = CHANNEL_DEPTH * log_scale(channels)."""

GREY = "#9e9e9e"
"""Colour of a score that is not known."""

Size = tuple[float, float, float]


def log_scale(n: int | None) -> float:
    """1 + log2(n) for n >= 1 (1 -> 1, 8 -> 4, 64 -> 7, 1024 -> 11): big layers stay in view of small ones."""
    return 1.0 + math.log2(max(1, n or 1))


def block_size(output_shape: Sequence[int | None]) -> Size:
    """(width, height, depth) of a layer's block from its output shape (batch dimension first).

    - image-like (H, W, C): width = log_scale(W), height = log_scale(H), depth = 0.5 * log_scale(C);
    - sequence (T, F): width = log_scale(F), height = 0.5 * log_scale(T), depth = 0.5 (a sheet);
    - vector (F,): width = log_scale(F), height = depth = 0.5 (a flat wide slab);
    - unknown or scalar: a 1 x 1 x 1 cube.
    Unknown dimensions (None) count as 1.
    """
    dims = list(output_shape[1:])
    if len(dims) >= 3:
        height, width, channels = dims[-3], dims[-2], dims[-1]
        return log_scale(width), log_scale(height), CHANNEL_DEPTH * log_scale(channels)
    if len(dims) == 2:
        steps, features = dims
        return log_scale(features), SLAB * log_scale(steps), SLAB
    if len(dims) == 1:
        return log_scale(dims[0]), SLAB, SLAB
    return 1.0, 1.0, 1.0


def positions(levels: Sequence[int], sizes: Sequence[Size]) -> list[tuple[float, float]]:
    """(position_x, position_z) of each block's centre.

    Levels follow each other along z: z(level 0) = depth_0 / 2 and
    z(level k) = z(level k-1) + depth_{k-1} / 2 + LEVEL_SPACING + depth_k / 2, with depth_k the
    deepest block of level k. Blocks sharing a level sit side by side along x, centred on x = 0.
    """
    count = max(levels, default=-1) + 1
    depth = [0.0] * count
    row_width = [0.0] * count
    for level, (width, _, block_depth) in zip(levels, sizes, strict=True):
        depth[level] = max(depth[level], block_depth)
        row_width[level] += width + (SIDE_GAP if row_width[level] else 0.0)
    centre_z: list[float] = []
    for level in range(count):
        if level == 0:
            centre_z.append(depth[0] / 2)
        else:
            centre_z.append(centre_z[-1] + depth[level - 1] / 2 + LEVEL_SPACING + depth[level] / 2)
    next_x = [-width / 2 for width in row_width]
    placed: list[tuple[float, float]] = []
    for level, (width, _, _) in zip(levels, sizes, strict=True):
        placed.append((next_x[level] + width / 2, centre_z[level]))
        next_x[level] += width + SIDE_GAP
    return placed


def color_intensity(parameters: int, max_parameters: int) -> float:
    """log(1 + params) / log(1 + largest layer's params): 0 for weightless layers, 1 for the biggest."""
    if max_parameters <= 0:
        return 0.0
    return math.log1p(parameters) / math.log1p(max_parameters)


def opacity(parameters: int, dormant_share: float | None) -> float:
    """0.9 for layers with weights, 0.5 for weightless ones, faded by up to 60% for dormant units."""
    base = 0.9 if parameters > 0 else 0.5
    if dormant_share is not None and math.isfinite(dormant_share):
        base *= 1.0 - 0.6 * min(1.0, max(0.0, dormant_share))
    return round(base, 4)


def score_color(score: float | None) -> str:
    """Hex colour from red (0) through yellow (0.5) to green (1); grey when the score is unknown."""
    if score is None or not math.isfinite(score):
        return GREY
    value = min(1.0, max(0.0, score))
    red, green, blue = colorsys.hls_to_rgb(value * 120.0 / 360.0, 0.45, 0.7)
    return "#{:02x}{:02x}{:02x}".format(*(round(channel * 255) for channel in (red, green, blue)))
