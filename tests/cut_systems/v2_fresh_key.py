"""The v2 reference system with one defect: fresh-key (as v3_system.BUGS describes it, in v2's terms)."""

from __future__ import annotations

from v2_system import main

if __name__ == "__main__":
    main(bug="fresh-key")
