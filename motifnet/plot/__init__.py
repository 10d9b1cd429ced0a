"""Figures: each plot function draws on an Axes (``ax=None``) and returns it; saving is the caller's."""
