"""The schedule: a cron expression and the config in, one edition per slot built and sent,
each slot once, out. It uses the pipeline to build and digest.deliver to send.

- trigger.py: the slots of a crontab expression on a zone's wall clock (DST-safe);
- slots.py: the slots table in the ledger database, claimed atomically;
- run.py: one slot end to end (claim, news check, build, send), shared by daemon and cron;
- daemon.py: `digest schedule`, APScheduler 3 with a persistent SQLAlchemy job store;
- ready.py: whether sending is configured, checked before a slot is built;
- command.py: the CLI entry points, `--next` and `--crontab`.
"""
