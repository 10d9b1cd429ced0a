"""Run folders: training, regression, prediction, evaluation and what a run folder holds."""
