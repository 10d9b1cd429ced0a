"""Run-folder steps: read a run, compute, draw, write the files and the report."""
