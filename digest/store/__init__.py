"""The storage the sending and the schedule share: database URLs in, engines and rows out.

db.py holds the SQLAlchemy plumbing (the engine, SQLite tuned for one writer at a time; a
transaction whose database errors become DeliveryError; a CREATE TABLE that tolerates a
concurrent first start; one-line errors that never show a password). owners.py names the
process that holds a ledger row or a schedule slot, and tells when it is surely gone.
"""
