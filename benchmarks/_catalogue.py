"""Generated v3 catalogues for the benchmarks: the seeded catalogue's ten products repeated with numbered
codes, so every size has the same mix of kinds (fixed, open value, product based, status not available)."""

from __future__ import annotations

import json
from pathlib import Path

from uatcert.sandbox.v3.catalogue import SEEDED_CATALOGUE


def write_catalogue(size: int, folder: Path) -> Path:
    """A catalogue of `size` products (the seeded one itself for 10) written to `folder`; its path."""
    seed = json.loads(Path(SEEDED_CATALOGUE).read_text(encoding="utf-8"))["products"]
    products = []
    for index in range(size):
        product = dict(seed[index % len(seed)])
        copy = index // len(seed)
        if copy:
            product["code"] = f"{product['code']}N{copy:03d}"
        products.append(product)
    path = folder / f"catalogue-{size}.json"
    path.write_text(json.dumps({"products": products}, indent=1), encoding="utf-8")
    return path
