"""Pieces of `digest send` that are not a pipeline stage of their own (see digest/send.py)."""
