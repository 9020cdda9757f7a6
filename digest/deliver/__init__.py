"""The delivery stage: an edition folder in the outbox and a recipient list in, one message per
recipient out over SMTP, each sent once, and a SendReport.

command.py is `digest send`; sender.py does the work (and explains how a crash anywhere sends
nobody twice), through recipients.py (the CSV list), compose.py (each recipient's bytes),
smtp.py (the transport), ledger.py (one row per edition × recipient) and journal.py (which
message had its terminator on the wire). The pre-send gate is digest.check's.
"""
