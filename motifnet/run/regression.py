"""What ``motifnet train --task regression`` adds to training.

- **Split**: seeded and stratified by quantile bins of the first target
  (:data:`motifnet.data.targets.SPLIT_BINS` bins of equal size by rank), so train, validation and
  test cover its whole range.
- **Scale**: the network learns each target standardised with the training split's mean and
  standard deviation; every saved model has the scale folded into its linear ``output`` layer
  and so predicts original values (``motifnet.json`` records the scale under ``regression``).
- **Epistatic regularisation** (``--epistatic-reg WEIGHT``, optional ``--reference``): see
  :mod:`motifnet.model.epistasis`; after training the model's spectrum over the landscape is written
  to ``epistasis.tsv`` (original units) and its L1 norm to ``metrics.json``.
- **History**: ``history.tsv`` has the classification header's shape with ``mse``/``val_mse``
  and ``mae``/``val_mae`` (standardised units) in place of accuracy and AUC; ``loss`` is the
  training objective (MSE plus the weighted penalty), ``mse`` the plain error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._io import write_text
from ..data.dataset import Dataset
from ..data.reference import read_reference
from ..data.targets import SPLIT_BINS, TargetScale, fold_scale, rescaled_output, split_strata
from ..errors import OptionValueError
from ..model.epistasis import Landscape, epistatic_model, find_landscape, landscape_spectrum
from .evaluation import regression_metrics
from .rundir import SPECTRUM

log = logging.getLogger("motifnet")

HISTORY_COLUMNS = ("epoch", "loss", "val_loss", "mse", "val_mse", "mae", "val_mae", "learning_rate", "seconds")


def split_labels(dataset: Dataset) -> np.ndarray:
    """What :func:`motifnet.data.split.make_split` stratifies regression records by (first target's bins)."""
    return split_strata(dataset.targets[:, 0], SPLIT_BINS)


@dataclass
class RegressionSetup:
    """Targets, scale and regulariser of one regression training run.

    Attributes
    ----------
    scale : TargetScale
    fit_targets : numpy.ndarray, shape=(n, targets)
        Standardised targets of every record (what the network learns).
    landscape : Landscape or None
        With ``--epistatic-reg``.
    weight : float or None
        ``--epistatic-reg``.
    """

    scale: TargetScale
    fit_targets: np.ndarray
    landscape: Landscape | None = None
    weight: float | None = None

    @classmethod
    def prepare(cls, dataset: Dataset, train_index: np.ndarray, epistatic_reg: float | None = None,
                reference: str | None = None) -> RegressionSetup:
        """Fit the scale on the training split and find the landscape (before anything is written).

        Raises
        ------
        InputError, ParamError
            A constant target, options the regulariser does not support, or a landscape it
            cannot use (see :func:`motifnet.model.epistasis.find_landscape`).
        """
        scale = TargetScale.fit(dataset.targets[train_index], dataset.target_names)
        landscape = None
        if epistatic_reg is not None:
            if dataset.tracks is not None or dataset.feature_rows is not None or dataset.features is not None:
                raise OptionValueError("--epistatic-reg works on sequence-only models; it cannot be combined with "
                                 "--track or --features")
            encoder = dataset.encoder
            if reference:
                from ..data.fasta import display_name

                codes, source = read_reference(reference, encoder), f"reference {display_name(reference)}"
            else:
                codes, source = None, "consensus of the training sequences"
            landscape = find_landscape(dataset.codes[train_index], encoder, codes, source)
            outside = _records_off_landscape(dataset.codes, landscape)
            log.info("epistatic regularisation (weight %g): %d variant sites against the %s, %d combinations per "
                     "step%s", epistatic_reg, landscape.n_sites, source, 2 ** landscape.n_sites,
                     f"; {outside} record(s) outside the training split vary elsewhere" if outside else "")
        return cls(scale, scale.standardise(dataset.targets), landscape, epistatic_reg)

    def wrap(self, model, dataset: Dataset, learning_rate: float):
        """The model to train: as built, or an :class:`motifnet.model.epistasis.EpistaticNet`."""
        if self.landscape is None:
            return model
        return epistatic_model(model, self.landscape, dataset.encoder, self.weight, learning_rate)

    def describe(self) -> dict:
        """``motifnet.json`` -> ``regression``."""
        described = {"split": f"stratified by {SPLIT_BINS} quantile bins of the first target",
                     "standardised": True, **self.scale.to_json()}
        if self.landscape is not None:
            described["epistasis"] = {"weight": self.weight, "normalisation": "H f / 2^n, H = +-1 Hadamard",
                                      **self.landscape.to_json()}
        return described

    def saving(self, model):
        """Context in which ``model`` predicts original values (for saving it)."""
        return rescaled_output(model, self.scale)

    def finish(self, model, dataset: Dataset, test_index: np.ndarray, run_dir: Path, batch_size: int) -> dict:
        """Fold the scale into the trained model, write ``epistasis.tsv``, and return the test metrics."""
        from .predict import predict_arrays

        fold_scale(model, self.scale)
        predictions = predict_arrays(model, dataset, test_index, batch_size)
        metrics = {"split": "test", **regression_metrics(dataset.targets[test_index], predictions,
                                                         dataset.target_names)}
        if self.landscape is not None:
            coefficients = landscape_spectrum(model, self.landscape, dataset.encoder)
            write_text(run_dir / SPECTRUM, spectrum_table(coefficients, self.landscape, dataset.target_names))
            metrics["spectrum_l1"] = {name: float(np.abs(coefficients[:, i]).sum())
                                      for i, name in enumerate(dataset.target_names)}
        return metrics


def _records_off_landscape(codes: np.ndarray, landscape: Landscape) -> int:
    """Records that differ from the reference at a position other than the sites, or by another letter."""
    allowed = landscape.reference[None, :] == codes
    allowed[:, landscape.positions] |= codes[:, landscape.positions] == landscape.alternatives[None, :]
    return int((~allowed.all(axis=1)).sum())


def spectrum_table(coefficients: np.ndarray, landscape: Landscape, target_names) -> str:
    """``epistasis.tsv``: one row per Walsh–Hadamard coefficient, largest absolute value first.

    Columns: ``index`` (the combination index j), ``order`` (number of sites), ``sites``
    (``17A>G,40C>T``; ``-`` for the mean), then one coefficient column per target. Rows are
    sorted by the largest absolute coefficient over targets, ties by index.
    """
    labels = landscape.site_labels()
    bits = landscape.bits()
    order = np.lexsort((np.arange(len(coefficients)), -np.abs(coefficients).max(axis=1)))
    lines = ["\t".join(["index", "order", "sites"] + list(target_names))]
    for index in order:
        members = [labels[i] for i in np.flatnonzero(bits[index])]
        lines.append("\t".join([str(index), str(len(members)), ",".join(members) or "-"]
                               + [f"{value:.6g}" for value in coefficients[index]]))
    return "\n".join(lines) + "\n"


def info_lines(meta: dict) -> list:
    """``motifnet info``: the targets (training mean and sd) and the epistatic landscape."""
    described = meta.get("regression", {})
    names = meta["data"]["target_names"]
    means, sds = described.get("mean", [None] * len(names)), described.get("std", [None] * len(names))
    lines = ["task: regression", "targets: " + ", ".join(
        f"{name} (training mean {mean:.4g}, sd {sd:.4g})" if mean is not None else name
        for name, mean, sd in zip(names, means, sds))]
    epistasis = described.get("epistasis")
    if epistasis:
        lines.append(f"epistatic regularisation: weight {epistasis['weight']:g}, {epistasis['sites']} sites against "
                     f"the {epistasis['reference']} ({', '.join(epistasis['variants'])})")
    return lines


def metrics_lines(metrics: dict) -> list:
    """``motifnet info``: the test metrics of a regression run."""
    from .evaluation import format_metric

    lines = [f"test metrics ({metrics['n']} records): Pearson r mean {format_metric(metrics['pearson_mean'])}, "
             f"Spearman mean {format_metric(metrics['spearman_mean'])}, R² mean {format_metric(metrics['r2_mean'])}"]
    for name, scores in metrics["per_target"].items():
        lines.append(f"  {name}: Pearson {format_metric(scores['pearson'])}, Spearman "
                     f"{format_metric(scores['spearman'])}, R² {format_metric(scores['r2'])}, MSE "
                     f"{format_metric(scores['mse'])}")
    for name, value in metrics.get("spectrum_l1", {}).items():
        lines.append(f"  {name}: L1 norm of the Walsh-Hadamard spectrum {value:.4g} (see {SPECTRUM})")
    return lines
