"""digest: turn a pile of posts into a trustworthy email digest."""

__version__ = "0.1.0"
