"""Loss, optimiser and metrics of a motifnet network, by task."""

from __future__ import annotations


def compile_model(model, learning_rate: float, multi_label: bool, task: str = "classification") -> None:
    """Compile ``model`` with Adam at ``learning_rate`` and the loss and metrics of its task.

    Classification: categorical (single-label) or binary (multi-label) cross-entropy, with
    accuracy and ROC-AUC; regression: mean squared error, with MSE and MAE.
    """
    import keras

    if task == "regression":
        model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mean_squared_error",
                      metrics=[keras.metrics.MeanSquaredError(name="mse"), keras.metrics.MeanAbsoluteError(name="mae")])
        return
    if multi_label:
        loss, accuracy = "binary_crossentropy", keras.metrics.BinaryAccuracy(name="accuracy")
    else:
        loss, accuracy = "categorical_crossentropy", keras.metrics.CategoricalAccuracy(name="accuracy")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss,
                  metrics=[accuracy, keras.metrics.AUC(name="auc", multi_label=multi_label)])
