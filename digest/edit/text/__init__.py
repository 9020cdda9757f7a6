"""The editorial stage's one text layer: tokens (masking and words), sentences, the number
grammar and its traps, and the lexicon (word lists kept as data in lexicon.toml). Every other
editorial module reads text through these."""
