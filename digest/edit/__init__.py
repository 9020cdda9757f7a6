"""The editorial stage: Documents in, the decisions an Edition is made of out. Pure: no disk,
no network, no clock, so the same posts always give the same edition.

In pipeline order: `find_figures` (figures.py, with numbers, labels and naming) finds and
labels the figures; `compare` (comparisons.py) relates them; `pick_highlights` (highlights.py,
with snippets and themes) picks the posts to show first with their reasons; `write_summary`
(summary.py, with lead, headline and tracing) writes the headline and summary, and
`check_trace` refuses any number in it that no post gave. digest.pipeline assembles the Edition.
"""
