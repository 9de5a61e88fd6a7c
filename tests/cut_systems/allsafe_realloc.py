"""The AllSafe reference system with one defect: realloc (sends an allocation again after an unknown outcome)."""

from __future__ import annotations

from allsafe_system import main

if __name__ == "__main__":
    main(bug="realloc")
