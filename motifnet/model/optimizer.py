"""motifnet's optimiser: Keras' Adam whose weight-decay exclusions are saved with a model."""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="motifnet")
class SelectiveDecayAdam(keras.optimizers.Adam):
    """Keras' Adam with decoupled weight decay that leaves the variables matching ``not_decayed`` alone.

    Keras' own ``exclude_from_weight_decay`` is not part of the optimiser's config, so a model
    saved with it and loaded with ``compile=True`` would decay every variable when trained further;
    here the exclusions are saved with the model.

    Parameters
    ----------
    not_decayed : sequence of str
        Patterns searched in each variable's path (``conv_1/bias``), as Keras'
        ``exclude_from_weight_decay(var_names=...)``.
    """

    def __init__(self, *args, not_decayed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.not_decayed = [str(name) for name in not_decayed]
        if self.not_decayed:
            self.exclude_from_weight_decay(var_names=self.not_decayed)

    def get_config(self):
        config = super().get_config()
        config["not_decayed"] = list(self.not_decayed)
        return config
