"""Hyperparameter grid search on Dask: the grid, trials and the cluster connection."""
