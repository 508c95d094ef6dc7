"""Normalising and transliterating names so that every spelling of a person meets the others.

``search_key`` turns any spelling, Latin or Cyrillic, into one Latin skeleton in which the usual
transliteration differences vanish: Ablyazov / Abliazov / Аблязов → ``ablazov``; Ketebayev /
Ketebaev / Кетебаев → ``ketebaev``; Tatiana / Tatyana / Татьяна → ``tatana``. It is stored with each
name variant and indexed, so the embedded SQLite default finds variants by the key; PostgreSQL
additionally ranks by trigram similarity on the same key.
"""

import re
import unicodedata

# One Latin rendering per Cyrillic letter (Russian and Kazakh). The skeleton rules below then fold
# the differences between systems (ya/ia, yu/iu, kh/h, ye/e...), so the choice here hardly matters.
CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Kazakh
    "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
    # Ukrainian and Belarusian
    "є": "ye", "ї": "yi", "ґ": "g", "ў": "u",
}

# Latin letters that differ between transliteration systems, folded in order (longest first).
FOLDS = [
    ("shch", "sh"), ("sch", "sh"), ("tch", "ch"), ("tsch", "ch"), ("dzh", "z"), ("zh", "z"),
    ("kh", "h"), ("ch", "c"), ("ts", "c"), ("tz", "c"), ("x", "ks"), ("q", "k"), ("w", "v"),
    ("ph", "f"), ("ou", "u"), ("y", "i"), ("j", "i"),
]

VOWELS = "aeou"


def strip_marks(text):
    """Remove diacritics (Muižnieks → Muiznieks) but keep Cyrillic letters intact (й, ё)."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = []
    for char in decomposed:
        if unicodedata.category(char) == "Mn":
            base = kept[-1] if kept else ""
            # и + breve is й; е + diaeresis is ё: keep them as their letter
            if base and "\u0400" <= base <= "\u04ff":
                kept[-1] = unicodedata.normalize("NFC", base + char)
            continue
        kept.append(char)
    return "".join(kept)


def clean(text):
    """The display-safe form: no-break and odd spaces folded, typographic apostrophes unified,
    Latin look-alike Cyrillic letters inside Latin words repaired (the seed [002]'s "сalled")."""
    text = unicodedata.normalize("NFC", text or "")
    text = re.sub(r"[\u00a0\u2007\u202f\u2000-\u200a\t\r\n]+", " ", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'").replace("`", "'")
    text = re.sub(r"[\u200b-\u200d\ufeff]", "", text)
    return " ".join(text.split())


def transliterate(text):
    """Cyrillic → Latin, lower case, diacritics removed."""
    text = strip_marks(clean(text).lower())
    return "".join(CYRILLIC.get(char, char) for char in text)


def search_key(text):
    """The skeleton a name is matched by. Word order is kept; punctuation becomes a space."""
    latin = transliterate(text)
    latin = re.sub(r"[^a-z0-9 ]+", " ", latin)
    words = []
    for word in latin.split():
        for old, new in FOLDS:
            word = word.replace(old, new)
        word = re.sub(r"i+", "i", word)
        # an i gliding into a vowel is how systems differ most (ya/ia/a, ye/e, yu/iu/u): drop it
        word = re.sub(rf"i(?=[{VOWELS}])", "", word)
        word = re.sub(r"(.)\1+", r"\1", word)
        if word:
            words.append(word)
    return " ".join(words)


def script_of(text):
    letters = [char for char in text if char.isalpha()]
    if not letters:
        return "other"
    cyrillic = sum(1 for char in letters if "\u0400" <= char <= "\u04ff")
    if cyrillic == len(letters):
        return "cyrillic"
    if cyrillic == 0 and all(char.isascii() or unicodedata.name(char, "").startswith("LATIN") for char in letters):
        return "latin"
    return "mixed"
