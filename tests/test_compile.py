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


@pytest.mark.parametrize("multi_label", [False, True])
def test_the_auc_of_each_epoch_is_the_mean_of_the_classes_roc_aucs_as_the_test_metrics(multi_label):
    """A single-label run's val_auc pooled every class's probabilities into one curve: on a 1:50 set whose classes the
    network could not tell apart (each class's ROC-AUC 0.51) the epochs said 0.98, the test metrics 0.41."""
    import keras
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    n = 2040
    minority = np.arange(n) < 40  # 1:50
    labels = np.stack([minority, ~minority], axis=1).astype(np.float32)
    # probabilities that know the prior (the majority class near 0.98) but nothing of the records
    p = np.clip(0.02 + rng.normal(0, 0.005, n), 0.001, 0.999)
    probabilities = np.stack([p, 1 - p], axis=1).astype(np.float32)
    per_class = np.mean([roc_auc_score(labels[:, k], probabilities[:, k]) for k in range(2)])
    pooled = roc_auc_score(labels.ravel(), probabilities.ravel())
    assert abs(per_class - 0.5) < 0.1 and pooled > 0.95  # the set tells the two apart
    inputs = keras.Input(shape=(2,))
    model = keras.Model(inputs, keras.layers.Identity()(inputs))
    compile_model(model, 0.01, multi_label)
    scores = model.evaluate(probabilities, labels, batch_size=256, verbose=0, return_dict=True)
    assert scores["auc"] == pytest.approx(per_class, abs=0.02)


def test_a_class_without_records_is_left_out_of_the_mean_auc_as_in_the_test_metrics(tmp_path):
    """Keras' per-class AUC counted a class absent from the validation split as 0 in its mean (0.51 where the two
    classes present had 0.84 and 0.69); metrics.json leaves it out."""
    import keras
    from sklearn.metrics import roc_auc_score

    from motifnet.model.layers import CUSTOM_OBJECTS

    rng = np.random.default_rng(0)
    n = 400
    labels = np.zeros((n, 3), dtype=np.float32)
    labels[np.arange(n), rng.integers(0, 2, n)] = 1  # class 2 has no record
    probabilities = rng.random((n, 3)).astype(np.float32) + 0.4 * labels
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    expected = np.mean([roc_auc_score(labels[:, k], probabilities[:, k]) for k in range(2)])
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, keras.layers.Identity()(inputs))
    compile_model(model, 0.01, False)
    scores = model.evaluate(probabilities, labels, batch_size=64, verbose=0, return_dict=True)
    assert scores["auc"] == pytest.approx(expected, abs=0.01)
    plain = keras.metrics.AUC(multi_label=True)
    plain.update_state(labels, probabilities)
    assert float(plain.result()) < expected - 0.2  # what Keras' own gives
    # a model compiled with it loads in safe mode with motifnet's custom objects, compiled
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True, custom_objects=CUSTOM_OBJECTS)
    again = loaded.evaluate(probabilities, labels, batch_size=64, verbose=0, return_dict=True)
    assert again["auc"] == pytest.approx(scores["auc"], abs=0.01)
