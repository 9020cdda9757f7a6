"""The delivery stage: an edition folder in the outbox and a recipient list in, one message per
recipient out over SMTP, each sent once, and a SendReport.

command.py is `digest send`; sender.py does the work (and explains how a crash anywhere sends
nobody twice and counts nothing as sent that was not confirmed), through recipients.py (the
CSV list), compose.py (each recipient's bytes), smtp.py (the transport), ledger.py (one row
per edition × recipient; rows.py: the table and its states), journal.py (which message had
its terminator on the wire), interrupts.py (Ctrl-C waits for a reply under way) and
report.py (the summary). The pre-send gate is digest.check's.
"""
