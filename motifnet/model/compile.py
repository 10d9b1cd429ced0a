"""Loss, optimiser and metrics of a motifnet network, by task."""

from __future__ import annotations


def compile_model(model, learning_rate: float, multi_label: bool, task: str = "classification",
                  ema_momentum: float = 0.0) -> None:
    """Compile ``model`` with Adam at ``learning_rate`` and the loss and metrics of its task.

    Classification: categorical (single-label) or binary (multi-label) cross-entropy, with
    accuracy and ROC-AUC; regression: mean squared error, with MSE and MAE. ``ema_momentum`` above
    0 makes Adam keep an exponential moving average of the weights (see
    :func:`motifnet.run.fit.fit_model`, which validates and keeps the averaged weights).
    """
    import keras

    def adam():
        if ema_momentum > 0:
            return keras.optimizers.Adam(learning_rate, use_ema=True, ema_momentum=ema_momentum)
        return keras.optimizers.Adam(learning_rate)

    if task == "regression":
        model.compile(optimizer=adam(), loss="mean_squared_error",
                      metrics=[keras.metrics.MeanSquaredError(name="mse"), keras.metrics.MeanAbsoluteError(name="mae")])
        return
    if multi_label:
        loss, accuracy = "binary_crossentropy", keras.metrics.BinaryAccuracy(name="accuracy")
    else:
        loss, accuracy = "categorical_crossentropy", keras.metrics.CategoricalAccuracy(name="accuracy")
    model.compile(optimizer=adam(), loss=loss,
                  metrics=[accuracy, keras.metrics.AUC(name="auc", multi_label=multi_label)])
