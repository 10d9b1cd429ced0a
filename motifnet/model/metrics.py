"""Metrics of motifnet's training runs that Keras lacks."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="motifnet")
class ClassMeanAUC(keras.metrics.AUC):
    """Each class's ROC-AUC, then their mean over the classes with both positive and negative records so far.

    Keras' ``AUC(multi_label=True)`` counts a class without positives (or negatives) among the records as 0 in the
    mean: a validation split that lacks a class (few records, a chromosome held out) halved the epochs' AUC where
    ``metrics.json``, like scikit-learn, leaves such a class out. ``multi_label`` is always on: a single-label
    model's classes are each a label here (Keras pooled them into one curve otherwise).
    """

    def __init__(self, num_thresholds: int = 200, name: str = "auc", **kwargs):
        kwargs.pop("multi_label", None)
        super().__init__(num_thresholds=num_thresholds, name=name, multi_label=True, **kwargs)

    def result(self):
        # Every record is called positive at the lowest threshold: its counts are each class's records.
        positives = self.true_positives[0] + self.false_negatives[0]
        negatives = self.false_positives[0] + self.true_negatives[0]
        self.label_weights = ops.cast(ops.logical_and(positives > 0, negatives > 0), "float32")
        try:
            return super().result()  # the weighted mean of the classes' AUCs: the classes with both kinds
        finally:
            self.label_weights = None
