"""The network: hyperparameters, custom layers, adjacency masks, building and compiling."""
