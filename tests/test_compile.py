"""motifnet.model.compile: the loss and metrics of each task, and the learning rate."""

import numpy as np
import pytest

from motifnet.model.compile import compile_model


@pytest.mark.parametrize("multi_label, task, loss, metrics", [
    (False, "classification", "categorical_crossentropy", {"loss", "accuracy", "auc"}),
    (True, "classification", "binary_crossentropy", {"loss", "accuracy", "auc"}),
    (True, "regression", "mean_squared_error", {"loss", "mse", "mae"}),
])
def test_each_task_gets_its_loss_and_metrics(multi_label, task, loss, metrics):
    import keras

    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, keras.layers.Dense(2, kernel_initializer="zeros")(inputs))
    compile_model(model, 0.01, multi_label, task)
    assert model.loss == loss
    assert type(model.optimizer).__name__ == "Adam"
    assert model.optimizer.learning_rate.numpy() == pytest.approx(0.01)
    x = np.ones((4, 3), dtype=np.float32)
    y = np.array([[1, 0], [0, 1], [1, 0], [0, 1]], dtype=np.float32)
    scores = model.evaluate(x, y, verbose=0, return_dict=True)
    assert set(scores) == metrics
    if task == "regression":  # zero weights predict 0: the squared error of each cell is its target
        assert scores["mse"] == pytest.approx(0.5) and scores["mae"] == pytest.approx(0.5)
