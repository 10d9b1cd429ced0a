"""Loss, optimiser and metrics of a motifnet network, by task."""

from __future__ import annotations

#: Patterns of the variables that weight decay leaves alone: offsets, motifnet's per-stretch position
#: weights (which start at 1 and weight where a kernel counts) and batch normalisation's scales and
#: offsets. Keras searches them in the whole variable path (``conv_1/kernel``), so no layer name may
#: contain one. They are saved with the model (:class:`motifnet.model.optimizer.SelectiveDecayAdam`).
NOT_DECAYED = ("bias", "position_weights", "gamma", "beta")


def compile_model(model, learning_rate: float, multi_label: bool, task: str = "classification",
                  ema_momentum: float = 0.0, weight_decay: float = 0.0) -> None:
    """Compile ``model`` with Adam at ``learning_rate`` and the loss and metrics of its task.

    Classification: categorical (single-label) or binary (multi-label) cross-entropy, with
    accuracy and ROC-AUC; regression: mean squared error, with MSE and MAE. ``ema_momentum`` above
    0 makes Adam keep an exponential moving average of the weights (see
    :func:`motifnet.run.fit.fit_model`, which validates and keeps the averaged weights).
    ``weight_decay`` above 0 is decoupled weight decay (AdamW): each step shrinks every kernel
    weight by ``learning_rate * weight_decay`` of itself; biases, position weights and batch
    normalisation's scales and offsets are not decayed.
    """
    import keras

    def adam():
        options = {"weight_decay": weight_decay} if weight_decay > 0 else {}
        if ema_momentum > 0:
            options.update(use_ema=True, ema_momentum=ema_momentum)
        if weight_decay > 0:
            from .optimizer import SelectiveDecayAdam

            return SelectiveDecayAdam(learning_rate, not_decayed=NOT_DECAYED, **options)
        return keras.optimizers.Adam(learning_rate, **options)

    if task == "regression":
        model.compile(optimizer=adam(), loss="mean_squared_error",
                      metrics=[keras.metrics.MeanSquaredError(name="mse"), keras.metrics.MeanAbsoluteError(name="mae")])
        return
    if multi_label:
        loss, accuracy = "binary_crossentropy", keras.metrics.BinaryAccuracy(name="accuracy")
    else:
        loss, accuracy = "categorical_crossentropy", keras.metrics.CategoricalAccuracy(name="accuracy")
    # Each class's ROC-AUC, then their mean, as metrics.json gives the test split's. Keras' AUC pooled a single-label
    # model's classes into one curve (0.98 on a 1:50 set where the classes' own AUCs were 0.51).
    from .metrics import ClassMeanAUC

    model.compile(optimizer=adam(), loss=loss, metrics=[accuracy, ClassMeanAUC(name="auc")])
