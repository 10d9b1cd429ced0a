"""``results.tsv`` of a search: one row per finished trial, appended as each finishes; rows read back and ranked."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from ..errors import ParamError
from ..run.search_folder import LEADING_COLUMNS, TRAILING_COLUMNS, format_value, grid_column
from ._space import Trial, canonical_json

log = logging.getLogger("motifnet")


def higher_is_better(metric: str) -> bool:
    """Whether a larger ``metric`` is better: the ROC-AUC and PR-AUC, not the validation loss."""
    return metric != "val-loss"


class ResultsFile:
    """``results.tsv``: a header, then one row per finished trial, appended and synced at once.

    A line cut short by a crash (no final newline) is dropped when the file is reopened.
    """

    def __init__(self, path: Path, grid_names):
        self.path = path
        self.columns = list(LEADING_COLUMNS) + [grid_column(name) for name in grid_names] + list(TRAILING_COLUMNS)
        if not path.exists():
            self._write_all(["\t".join(self.columns) + "\n"])
            return
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines(keepends=True)
        header = lines[0].rstrip("\n").split("\t") if lines else []
        # Written before results.tsv had a preset column, or before that before grid columns were told apart
        # from result columns: continue in its layout.
        for legacy in (self.columns[:-1], list(LEADING_COLUMNS) + list(grid_names) + list(TRAILING_COLUMNS[:-1])):
            if header == legacy:
                self.columns = legacy
        if sorted(header) == sorted(self.columns):  # the same grid, its keys in another order: the file's order
            self.columns = header
        if not lines or lines[0].rstrip("\n").split("\t") != self.columns:
            raise ParamError(f"{path}: not the results file of this search (expected the columns "
                             f"{', '.join(self.columns)}); remove it or choose another -o")
        if not text.endswith("\n"):
            log.warning("%s: dropping an incomplete last line (the search was stopped while writing it)", path)
            self._write_all(lines[:-1])

    def _write_all(self, lines) -> None:
        from .._io import write_text

        write_text(self.path, "".join(lines))

    def rows(self) -> dict:
        """Finished trials: id -> row (str values); a later row of the same trial wins."""
        found = {}
        with open(self.path, encoding="utf-8") as handle:
            handle.readline()
            for line in handle:
                cells = line.rstrip("\n").split("\t")
                if len(cells) == len(self.columns):
                    found[cells[0]] = dict(zip(self.columns, cells))
        return found

    def append(self, row: dict) -> None:
        line = "\t".join(_cell(row.get(column)) for column in self.columns) + "\n"
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # round-trips exactly: a continued search ranks the same numbers
    return " ".join(str(value).split())  # no tabs or line breaks inside a cell


def result_row(trial: Trial, outcome: dict, attempts: int, errors: list, preset: str | None = None) -> dict:
    row = {"trial": trial.id, "status": outcome["status"], "score": outcome.get("score"), "preset": preset,
           "fold_scores": ",".join(repr(s) for s in outcome["fold_scores"]) if outcome.get("fold_scores") else None,
           "epochs": outcome.get("epochs"), "best_epoch": outcome.get("best_epoch"),
           "seconds": round(outcome["seconds"], 2) if outcome.get("seconds") is not None else None,
           "attempts": attempts, "seed": trial.seed, "params": canonical_json(trial.params),
           "error": " | ".join(errors)}
    row.update({grid_column(name): format_value(value) for name, value in trial.values.items()})
    return row



def transient_failure(row: dict) -> bool:
    """Whether a row of ``results.tsv`` is a trial that failed for a cause that may pass (a lost worker, an error in
    training), which was tried more than once and whose errors are numbered by attempt; a parameter error is not."""
    return row.get("status") == "failed" and (row.get("error") or "").startswith("attempt ")


def parse_row(row: dict) -> dict:
    """A row of ``results.tsv`` with numbers as numbers (empty cells become None)."""
    parsed = dict(row)
    for column in ("score", "epochs", "best_epoch", "seconds"):
        parsed[column] = float(row[column]) if row.get(column) else None
    for column in ("attempts", "seed"):
        parsed[column] = int(row[column]) if row.get(column) else None
    parsed["fold_scores"] = [float(v) for v in row["fold_scores"].split(",")] if row.get("fold_scores") else None
    parsed["params"] = json.loads(row["params"])
    return parsed


def rank(rows, trials, metric: str) -> list:
    """Successful trials best first (ties: grid order), then the failed ones in grid order."""
    order = {trial.id: trial.number for trial in trials}
    sign = -1 if higher_is_better(metric) else 1
    ok = sorted((r for r in rows if r["status"] == "ok"), key=lambda r: (sign * r["score"], order[r["trial"]]))
    failed = sorted((r for r in rows if r["status"] != "ok"), key=lambda r: order[r["trial"]])
    return ok + failed
