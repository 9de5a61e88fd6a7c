"""The AllSafe reference system with one defect: ignore-401 (keeps trying after a 401)."""

from __future__ import annotations

from allsafe_system import main

if __name__ == "__main__":
    main(bug="ignore-401")
