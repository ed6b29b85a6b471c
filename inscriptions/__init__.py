"""Inscription batches (``batch/``), their Bitcoin transactions (``transactions/``), the
plan directory that takes them on chain (``plans/``) and reading them back
(``readback/``).  Never imports click, never prints, never exits."""
