"""Memory an ensemble or simulation will need, checked before it starts (issue 13, item 10).

Monte Carlo results are the product: ``compare --runs N`` keeps one row per policy × model ×
world, ``simulate --paths N`` one monthly path per policy. Their size grows with ``N`` and
cannot be streamed away, so a request that cannot fit is refused *up front* with the
estimated need and the largest size that fits, instead of swapping for minutes and being
killed. The working set of one chunk of worlds is bounded separately (a fixed byte target, so
the chunking, and therefore the numbers, are the same on every machine).

The estimates are deliberately rough (within a factor of about 1.5, measured: ``compare
korea-2025 -m compromise`` grows by 5.9 kB per run against 6 kB estimated); the budget is
half the machine's physical memory, or ``PENINSULA_MEMORY_LIMIT`` (bytes, or e.g. ``2GB``).
"""

from __future__ import annotations

import os

from peninsula.errors import InputError, Located

BUDGET_FRACTION = 0.5
FALLBACK_BYTES = 4 << 30
CHUNK_TARGET_BYTES = 256 << 20  # working set of one chunk of worlds
_UNITS = {"KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}


def physical_bytes() -> int:
    """Total physical memory of this machine (a fallback of 4 GiB if it cannot be read)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return FALLBACK_BYTES


def budget_bytes() -> int:
    """How much one run may use: ``PENINSULA_MEMORY_LIMIT`` or half the physical memory."""
    text = os.environ.get("PENINSULA_MEMORY_LIMIT", "").strip().upper().replace(" ", "")
    if text:
        for unit, size in _UNITS.items():
            if text.endswith(unit) and text[: -len(unit)].replace(".", "", 1).isdigit():
                return int(float(text[: -len(unit)]) * size)
        if text.isdigit():
            return int(text)
        raise InputError(
            [Located(f"not a size (e.g. 2GB): {text!r}", field="PENINSULA_MEMORY_LIMIT")]
        )
    return int(physical_bytes() * BUDGET_FRACTION)


def human(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if size < 1024 or unit == "PB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def check_fits(count: int, per_unit: float, fixed: float, what: str, option: str) -> None:
    """Refuse ``count`` units of ``per_unit`` bytes (plus ``fixed``) if over the budget."""
    need = fixed + count * per_unit
    budget = budget_bytes()
    if need <= budget:
        return
    largest = max(0, int((budget - fixed) // per_unit))
    raise InputError(
        [
            Located(
                f"{count:,} {what} need about {human(need)} of memory; the limit here is "
                f"{human(budget)} (half the RAM, or PENINSULA_MEMORY_LIMIT): at most about "
                f"{largest:,} {what} fit",
                field=option,
            )
        ]
    )


def fitting_chunk(per_item: float, chunk_size: int) -> int:
    """The largest chunk (at most ``chunk_size``) whose working set stays near the target."""
    return max(1, min(chunk_size, int(CHUNK_TARGET_BYTES // max(per_item, 1.0))))
