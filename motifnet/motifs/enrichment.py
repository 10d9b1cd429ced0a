"""Which motifs are enriched in which class: records with a hit, Fisher's exact test and BH q-values."""

from __future__ import annotations

import numpy as np

ENRICHMENT_COLUMNS = ("motif", "class", "records", "records_with_hit", "fraction", "other_fraction", "odds_ratio",
                      "log2_odds_ratio", "fisher_p", "q_value", "motif_alt_id")


def enrichment_table(motif_names, class_names, records_with_hit: np.ndarray, records_per_class: np.ndarray,
                     scanned=None, alt_names=None) -> list:
    """Per motif and class: records with a hit against the records of the other classes.

    The 2 x 2 table of a motif and class is (class, others) x (with a hit, without); its odds ratio
    and one-sided p-value (enrichment: more records with a hit in the class, as AME, SEA and HOMER
    test) come from :func:`scipy.stats.fisher_exact` and the q-values from
    :func:`scipy.stats.false_discovery_control` over every motif and class. ``log2_odds_ratio``
    adds 0.5 to each cell first (Haldane), so that it is finite for the heat map; it is None, as the
    odds ratio is, when no record or every record has a hit (Haldane's value then is only the log ratio
    of the groups' sizes).

    Parameters
    ----------
    motif_names, class_names : list of str
    records_with_hit : numpy.ndarray of int, shape=(motifs, classes)
    records_per_class : numpy.ndarray of int, shape=(classes,)
    scanned : sequence of bool or None
        Whether each motif was scanned (:attr:`motifnet.motifs.scan.ScanResult.scanned`); a motif that was
        not has no hits to count: its records with a hit and everything after are None, and its cells are
        not among the q-values' tests. Default is None: every motif.
    alt_names : list of str or None
        Each motif's alternate name (``motif_alt_id``). Default is None: empty.

    Returns
    -------
    list of dict
        One row per motif and class, keys :data:`ENRICHMENT_COLUMNS`; the odds ratio, its log and
        the p- and q-values are None with a single class.
    """
    from scipy.stats import false_discovery_control, fisher_exact

    rows = []
    total_records = int(np.sum(records_per_class))
    total_hits = np.asarray(records_with_hit).sum(axis=1)
    for m, motif in enumerate(motif_names):
        for c, name in enumerate(class_names):
            records = int(records_per_class[c])
            with_hit = int(records_with_hit[m, c])
            other_records = total_records - records
            other_hits = int(total_hits[m]) - with_hit
            row = {"motif": motif, "class": name, "records": records, "records_with_hit": with_hit,
                   "fraction": with_hit / records if records else None,
                   "other_fraction": other_hits / other_records if other_records else None,
                   "odds_ratio": None, "log2_odds_ratio": None, "fisher_p": None, "q_value": None,
                   "motif_alt_id": alt_names[m] if alt_names else ""}
            if scanned is not None and not scanned[m]:
                row.update(records_with_hit=None, fraction=None, other_fraction=None)
            elif other_records and records:
                table = [[with_hit, records - with_hit], [other_hits, other_records - other_hits]]
                result = fisher_exact(table, alternative="greater")
                row["fisher_p"] = float(result.pvalue)
                # undefined (NaN) when no record of either group has a hit, or every record has one
                if not np.isnan(result.statistic):
                    (a, b), (c_, d) = table
                    row["odds_ratio"] = float(result.statistic)
                    row["log2_odds_ratio"] = float(np.log2((a + 0.5) * (d + 0.5) / ((b + 0.5) * (c_ + 0.5))))
            rows.append(row)
    tested = [row for row in rows if row["fisher_p"] is not None]
    if tested:
        q_values = false_discovery_control([row["fisher_p"] for row in tested])
        for row, q_value in zip(tested, q_values):
            row["q_value"] = float(q_value)
    return rows


def log2_odds_matrix(rows, motif_names, class_names) -> np.ndarray:
    """``log2_odds_ratio`` of :func:`enrichment_table` rows as a motif x class array (NaN where untested)."""
    matrix = np.full((len(motif_names), len(class_names)), np.nan)
    motif_index = {name: i for i, name in enumerate(motif_names)}
    class_index = {name: j for j, name in enumerate(class_names)}
    for row in rows:
        if row["log2_odds_ratio"] is not None:
            matrix[motif_index[row["motif"]], class_index[row["class"]]] = row["log2_odds_ratio"]
    return matrix
