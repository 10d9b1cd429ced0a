"""Hyperparameter grid search on Dask: the grid and its trials (``_space``), a trial on a worker (``_trial``),
``results.tsv`` (``_results``), the cluster connection (``_cluster``), and the search itself (``grid``)."""
