"""The editorial stage: Documents in, the decisions an Edition is made of out. Pure: no disk,
no network, no clock, so the same posts always give the same edition.

All text is read through one layer, `text/` (tokens, sentences, the number grammar and its
traps, the lexicon of word lists kept as data). In pipeline order: `find_figures` (figures.py,
with labels and naming) finds and labels the figures of posts and prose; `compare`
(comparisons.py, over the pairs pairing.py relates) relates them; `pick_highlights`
(highlights.py, with snippets and themes) picks the posts to show first with their reasons;
`write_summary` (summary.py, with keyfigures, lead, headline and tracing) ranks the key figures
and writes the headline and summary, and `check_trace` refuses any number in it that no source
gave. digest.pipeline assembles the Edition.
"""
