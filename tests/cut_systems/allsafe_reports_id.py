"""The AllSafe reference system with one defect: reports-id (reports the allocation id instead of the voucher code)."""

from __future__ import annotations

from allsafe_system import main

if __name__ == "__main__":
    main(bug="reports-id")
