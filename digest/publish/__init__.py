"""The publishing stage: a rendered edition and its message in, files on disk out.

outbox.py writes each edition into its own folder atomically (and reads one back for `digest
send` and `digest check`); archive.py rebuilds the outbox's index.html and feed.atom from the
folders it holds, with the page template in assets/.
"""
