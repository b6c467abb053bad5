"""The simulated period in words: ``CrisisResult.start`` is the last observed month."""

from __future__ import annotations

from peninsula.crisis.simulate import months_after_text


def test_period_names_the_months_simulated_not_the_last_observed_one() -> None:
    # 24 months after 2025-09: 2025-10 (month 1) .. 2027-09 (month 24).
    assert months_after_text("2025-09", 24) == "the 24 months after 2025-09 (2025-10 to 2027-09)"
    # one month, across a year end
    assert months_after_text("2024-12", 1) == "the 1 month after 2024-12 (2025-01 to 2025-01)"


def test_period_without_a_month_start_says_only_the_length() -> None:
    assert months_after_text("", 12) == "12 months"
    assert months_after_text("origin", 3) == "3 months after origin"
