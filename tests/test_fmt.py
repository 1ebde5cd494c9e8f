from kompetens.report import formats as fmt


def test_swedish_numbers():
    assert fmt.number(1393) == "1\u202f393"
    assert fmt.number(13.84, 1) == "13,8"
    assert fmt.number(-2.5, 1) == "−2,5"
    assert fmt.percent(0.138) == "13,8\u00a0%"
    assert fmt.mnkr(37_800_000) == "37,8\u00a0mnkr"
    assert fmt.years(2020, 2027) == "2020–2027"
    assert fmt.number(float("nan")) == "–"


def test_english_numbers():
    assert fmt.number(1393, sprak="en") == "1,393"
    assert fmt.percent(0.138, sprak="en") == "13.8%"
    assert fmt.mnkr(37_800_000, sprak="en") == "SEK 37.8 million"
