"""The v3 reference system with one defect: give-up (see v3_system.BUGS)."""

from __future__ import annotations

from v3_system import main

if __name__ == "__main__":
    main(bug="give-up")
