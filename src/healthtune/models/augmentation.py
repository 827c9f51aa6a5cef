"""Image augmentation as Keras preprocessing layers inside the model: random flips, small shifts and rotations.

They change every training batch and do nothing at inference, so the saved model predicts on
plain images. They help colour photographs (an object stays itself mirrored or moved a little);
on centred grayscale digits a mirrored 2 is no longer a 2, so the search leaves them off there.
"""

from __future__ import annotations

from typing import Any

SHIFT = 0.1
"""Largest shift, as a share of the image's height and width."""

ROTATION = 0.03
"""Largest rotation, as a share of a full turn (0.03: about 11 degrees)."""


def add_augmentation(x: Any) -> Any:
    """Horizontal flip, shift and rotation, each drawn anew for every image of every training batch."""
    from keras import layers

    x = layers.RandomFlip("horizontal", name="augment_flip")(x)
    x = layers.RandomTranslation(SHIFT, SHIFT, fill_mode="nearest", name="augment_shift")(x)
    return layers.RandomRotation(ROTATION, fill_mode="nearest", name="augment_rotate")(x)
