import pytest

from people.names import clean, script_of, search_key


@pytest.mark.parametrize(
    "spellings",
    [
        ("Ablyazov", "Abliazov", "Аблязов"),
        ("Ketebayev", "Ketebaev", "Кетебаев"),
        ("Tatiana Paraskevich", "Tatyana Paraskevich", "Татьяна Параскевич"),
        ("Daniar Moldashev", "Daniyar Moldashev", "Данияр Молдашев"),
        ("Khrapunov", "Храпунов"),
        ("Kazhegeldin", "Кажегельдин"),
    ],
)
def test_every_spelling_of_a_name_folds_to_one_key(spellings):
    assert len({search_key(spelling) for spelling in spellings}) == 1


@pytest.mark.parametrize(("one", "other"), [("Aleksandr Pavlov", "Andrey Pavlov"), ("Lev Ponomarev", "Ilya Ponomarev")])
def test_different_people_keep_different_keys(one, other):
    assert search_key(one) != search_key(other)


def test_no_break_spaces_and_apostrophes_are_normalised_for_display():
    assert clean("Muratbek\u00a0Ketebayev") == "Muratbek Ketebayev"
    assert clean("Mukhtar Ablyazov\u2019s") == "Mukhtar Ablyazov's"


def test_script_is_detected():
    assert script_of("Аблязов") == "cyrillic"
    assert script_of("Ablyazov") == "latin"
    assert script_of("Nils Muižnieks") == "latin"
    assert script_of("сalled") == "mixed"
