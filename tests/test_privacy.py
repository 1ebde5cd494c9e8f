"""k-anonymity suppression, on hand-made tables with the expected masks worked out."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kompetens.models.staff import with_totals_suppressed
from kompetens.privacy.suppression import SUPPRESSED, small, suppress, suppression_mask


def test_small_means_one_to_k_minus_one_persons():
    assert small([0, 1, 4, 5, 12], 5).tolist() == [False, True, True, False, False]


def test_a_lone_small_cell_takes_the_smallest_visible_cell_of_its_row_and_column():
    counts = pd.DataFrame([[3, 10, 20], [8, 12, 30], [9, 40, 50]], index=list("abc"), columns=list("xyz"))
    # primary: (a, x)=3. Row a then hides its smallest other cell (a, y)=10; column x hides
    # (b, x)=8; column y now has (a, y) alone and hides (b, y)=12; row b has two. Done.
    expected = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 0]], dtype=bool)
    assert (suppression_mask(counts, 5).to_numpy() == expected).all()


def test_two_small_cells_in_a_line_need_no_more():
    counts = pd.DataFrame([[3, 2, 20], [3, 4, 30]], columns=list("xyz"))
    assert suppression_mask(counts, 5).to_numpy().sum() == 4


def test_suppress_shows_a_dash_and_keeps_other_values():
    counts = pd.DataFrame([[3, 10, 20], [6, 12, 30]], columns=["x", "y", "z"])
    shown = suppress(counts, counts, 5)
    # primary (0, x); row 0 then hides (0, y), column x hides (1, x), column y hides (1, y)
    assert shown.loc[0, "x"] == SUPPRESSED
    assert shown.loc[0, "y"] == SUPPRESSED and shown.loc[1, "x"] == SUPPRESSED and shown.loc[1, "y"] == SUPPRESSED
    assert shown.loc[0, "z"] == 20 and shown.loc[1, "z"] == 30


def test_linked_totals_cannot_reveal_a_hidden_cell():
    counts = pd.DataFrame([[2, 0], [10, 7]], index=["a", "b"], columns=["x", "y"])
    table = with_totals_suppressed(counts, 5)
    # row a: cell 2 and its total 2 are small; column x then needs a second hidden cell
    assert table.loc["a", "x"] == SUPPRESSED and table.loc["a", "Totalt"] == SUPPRESSED
    hidden = table == SUPPRESSED
    assert (hidden.sum(axis=1).isin([0, 2, 3])).all() and (hidden.sum(axis=0).isin([0, 2, 3])).all()
    assert table.loc["Totalt", "Totalt"] == 19


def test_lines_limit_secondary_suppression_to_the_published_sums():
    counts = pd.DataFrame([[3, 10], [20, 30], [23, 40]], index=["a", "b", "Totalt"], columns=[2024, 2025])
    # only columns sum (to Totalt): column 2024 hides a second cell, the smaller of b and Totalt
    mask = suppression_mask(counts, 5, lines="columns")
    assert mask.to_numpy().tolist() == [[True, False], [True, False], [False, False]]


def test_hidden_groups_take_the_next_smallest_when_one_is_small():
    from kompetens.privacy.suppression import hidden_groups

    assert hidden_groups(pd.Series({"a": 3, "b": 10, "c": 20}), 5) == {"a", "b"}
    assert hidden_groups(pd.Series({"a": 3, "b": 4, "c": 20}), 5) == {"a", "b"}
    assert hidden_groups(pd.Series({"a": 6, "b": 10}), 5) == set()
    assert hidden_groups(pd.Series({"a": 2, "b": 1}), 5) == {"a", "b"}


def test_personnummer_pattern_finds_numbers_not_decimals():
    from kompetens.privacy.suppression import find_personnummer

    assert find_personnummer("id 19850312-1234 och 850312-1234 och 198503121234") == [
        "19850312-1234",
        "850312-1234",
        "198503121234",
    ]
    assert find_personnummer("0.191771562945 och 2025-12-31 och 19851312-1234 och 1234567890123") == []


def test_hidden_cells_of_a_line_hold_at_least_k_persons():
    from kompetens.privacy.suppression import protect

    # cells 1, 2, 6, 20 and their total 29: 1 and 2 are small, but together they hold 3 < 5
    # persons, so the next smallest (6) joins them: total − visible gives 9 persons
    mask = protect([1, 2, 6, 20, 29], 5)
    assert mask.tolist() == [True, True, True, False, False]
    assert protect([0, 0, 7, 7], 5).tolist() == [False] * 4
    # a total under k is hidden with its cells
    assert protect([1, 2, 3], 5).tolist() == [True, True, True]


def test_protect_covers_every_axis_of_a_three_way_table():
    from kompetens.privacy.suppression import protect

    rng = np.random.default_rng(7)
    for _ in range(200):
        cells = rng.choice([0, 1, 2, 3, 6, 9, 15], size=(4, 3, 3)).astype(float)
        cube = np.zeros((5, 4, 4))
        cube[:-1, :-1, :-1] = cells
        cube[-1] = cube[:-1].sum(axis=0)
        cube[:, -1] = cube[:, :-1].sum(axis=1)
        cube[:, :, -1] = cube[:, :, :-1].sum(axis=2)
        mask = protect(cube, 5)
        assert not (((cube > 0) & (cube < 5)) & ~mask).any()
        for axis in range(3):
            lines, values = np.moveaxis(mask, axis, -1), np.moveaxis(cube, axis, -1)
            for idx in np.ndindex(lines.shape[:-1]):
                hidden, v = lines[idx], values[idx]
                if hidden.any():
                    assert hidden.sum() >= 2
                    if not hidden[-1]:  # total shown: total − visible is the hidden cells' sum
                        assert v[:-1][hidden[:-1]].sum() >= 5


def test_board_and_department_masks_agree():
    from kompetens.privacy.disclosure import BOARD, batch_masks

    # department A has one Administratör, B five: hiding A's alone would let board − B give it
    personal = pd.DataFrame(
        {
            "ar": 2025,
            "forvaltning": ["A"] * 21 + ["B"] * 25,
            "yrkesgrupp": ["Adm"] + ["Vård"] * 20 + ["Adm"] * 5 + ["Vård"] * 20,
            "fodelsear": 1980,
        }
    )
    avgangar = pd.DataFrame({"forvaltning": ["A"], "orsak": ["pension"], "datum": pd.to_datetime(["2025-03-01"])})
    masks = batch_masks(personal, avgangar, 2025, 5)
    assert masks["A"].grupper == {"Adm", "Vård"}  # A's Totalt is shown: Vård would give Adm back
    assert "Adm" in masks["B"].grupper or "Adm" in masks[BOARD].grupper
    # the lone exit is hidden in A and wherever it could be recovered (B has none: the board)
    assert masks["A"].avgangar.loc["pension", 2025] and masks[BOARD].avgangar.loc["pension", 2025]
    assert masks["A"].ar_med_dolda_avgangar == {2025}


def test_tenure_and_coarse_age_bands_follow_the_board_masks():
    from kompetens.privacy.disclosure import batch_masks

    # A: 2 persons hired in 2025 (tenure <1), 20 older; B: 10 hired in 2025, 20 older
    hired = ["2025-02-01"] * 2 + ["2010-01-01"] * 20 + ["2025-02-01"] * 10 + ["2010-01-01"] * 20
    personal = pd.DataFrame(
        {
            "ar": 2025,
            "forvaltning": ["A"] * 22 + ["B"] * 30,
            "yrkesgrupp": "Vård",
            "fodelsear": [1998] * 2 + [1975] * 20 + [1990] * 30,
            "anstallningsdatum": pd.to_datetime(hired),
        }
    )
    masks = batch_masks(personal, None, 2025, 5)
    assert masks["A"].hidden_tenure_bands() >= {"<1"}
    # the board or B hides <1 too, else board − B gives A's two back
    assert "<1" in masks["B"].hidden_tenure_bands() or "<1" in masks[None].hidden_tenure_bands()
    # A's two aged 27 are the age table's –29 cell, its complement the 20 aged 50 (50–59): the
    # coarse bands ≤29 and ≥50 that hold them are hidden, 30–49 (nobody hidden) is not
    assert masks["A"].hidden_age_bands() == {"≤29", "≥50"}


def test_board_masks_leave_no_hidden_cell_alone_over_random_boards():
    """Over many random boards: in every report the staff per group at basår is either shown
    or hidden with at least k persons hidden beside it, within the report (Totalt) and across
    the board's reports (the board's figure of the group)."""
    from kompetens.privacy.disclosure import BOARD, batch_masks

    rng = np.random.default_rng(11)
    for _ in range(60):
        rows = []
        for dept in "ABC":
            for group in ("G1", "G2", "G3", "G4"):
                n = int(rng.choice([0, 1, 2, 3, 4, 6, 12]))
                rows += [{"forvaltning": dept, "yrkesgrupp": group, "fodelsear": int(rng.integers(1960, 2000))}] * n
        personal = pd.DataFrame(rows).assign(ar=2025)
        masks = batch_masks(personal, None, 2025, 5)
        counts = personal.groupby(["yrkesgrupp", "forvaltning"]).size().unstack(fill_value=0)
        counts = counts.reindex(index=["G1", "G2", "G3", "G4"], columns=list("ABC"), fill_value=0)
        hidden = pd.DataFrame({d: [g in masks[d].grupper for g in counts.index] for d in "ABC"}, index=counts.index)
        board = pd.Series([g in masks[BOARD].grupper for g in counts.index], index=counts.index)
        for dept in "ABC":  # within a report: Totalt minus the visible groups
            h = hidden[dept] & (counts[dept] > 0)
            if h.any() and not masks[dept].totalt_dolt:
                assert h.sum() >= 2 and counts.loc[h, dept].sum() >= 5
        for group in counts.index:  # across the batch: the board's figure minus the departments'
            h = hidden.loc[group] & (counts.loc[group] > 0)
            if h.any() and not board[group]:
                assert h.sum() >= 2 and counts.loc[group, h].sum() >= 5
            assert not ((counts.loc[group] > 0) & (counts.loc[group] < 5) & ~hidden.loc[group]).any()
