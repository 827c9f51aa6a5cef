"""CNN builder for image datasets: conv blocks (conv, batch norm, activation, pooling, dropout) + dense head."""

from __future__ import annotations

from typing import TYPE_CHECKING

from healthtune.models.augmentation import add_augmentation
from healthtune.models.config import BATCH_NORM_MOMENTUM, ModelConfig
from healthtune.models.head import add_dense_head

if TYPE_CHECKING:
    import keras


def block_filters(config: ModelConfig) -> list[int]:
    """Filters per conv block: `filters` grown by `filter_growth` each block."""
    return [
        max(1, round(config.filters * config.filter_growth**block)) for block in range(config.conv_blocks)
    ]


def build_cnn(config: ModelConfig, input_shape: tuple[int, ...], num_classes: int) -> keras.Model:
    """Layers are named conv_1, bn_1, act_1, pool_1, ... so health findings can point at them."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=input_shape, name="image")
    x = add_augmentation(inputs) if config.augmentation else inputs
    height, width = input_shape[0], input_shape[1]
    conv_number = 0
    for index, filters in enumerate(block_filters(config), start=1):
        for _ in range(config.convs_per_block):
            # Convolutions are numbered through the whole network (conv_1, conv_2, ...), blocks by pool_N.
            conv_number += 1
            x = layers.Conv2D(
                filters,
                config.kernel_size,
                padding="same",
                use_bias=not config.batch_norm,  # batch norm's beta replaces the bias
                name=f"conv_{conv_number}",
            )(x)
            if config.batch_norm:
                x = layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM, name=f"bn_{conv_number}")(x)
            x = layers.Activation(config.activation, name=f"act_{conv_number}")(x)
        # Small inputs (8x8 digits) cannot be halved by every block: pool only while it fits.
        if min(height, width) >= 2:
            pool = layers.MaxPooling2D if config.pooling == "max" else layers.AveragePooling2D
            x = pool(pool_size=2, name=f"pool_{index}")(x)
            height, width = height // 2, width // 2
        if config.conv_dropout > 0:
            x = layers.Dropout(config.conv_dropout, name=f"conv_dropout_{index}")(x)
    if config.global_pooling:
        x = layers.GlobalAveragePooling2D(name="global_pool")(x)
    else:
        x = layers.Flatten(name="flatten")(x)
    outputs = add_dense_head(x, config, num_classes, batch_norm=config.batch_norm)
    return keras.Model(inputs, outputs, name="healthtune_cnn")
