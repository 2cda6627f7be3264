"""Name keys: equivalences and must-differ examples across languages, the small API for the engine,
and properties that must hold for any input. Every rule of the knowledge file is pinned in
test_names_rules.py."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from stella.people.names import (
    KEY_LENGTH,
    detect_script,
    folded,
    name_key,
    name_keys,
    token_keys,
    tokens,
    transliterate,
)

SAME_KEY = [
    # Arabic (Syria, Iraq), with German, French and Turkish spellings and the original script
    ("Mohammed", "Muhammad", "Mohamad", "Mohamed", "Muhammed", "Mehmet", "Maxamed", "محمد"),
    ("Al-Hassan", "Alhassan", "Hasan", "al Hassan", "AL HASSAN", "El-Hassan", "Xasan", "الحسن"),
    ("Hussein", "Husain", "Hossein", "Hussain", "Husein", "Hüseyin", "Al-Hussein", "حسین", "حسين", "الحسين"),
    ("Yusuf", "Youssef", "Yousef", "Jussuf", "Jusuf", "Yuusuf", "يوسف"),
    ("Ahmed", "Ahmad", "Achmed", "Ahmet", "Axmed", "أحمد", "احمد"),
    ("Khaled", "Chaled", "Khalid", "Chalid", "خالد"),
    ("Ibrahim", "Ebrahim", "İbrahim", "إبراهيم"),
    ("Omar", "Umar", "Ömer", "Cumar", "عمر"),
    ("Fatima", "Fatimah", "Fatma", "Fatemeh", "Fatema", "فاطمة", "فاطمه"),
    ("Walid", "Waleed", "Valid", "وليد"),
    ("Qasim", "Kasim", "Kassem", "Qassem", "قاسم"),
    ("Shirin", "Schirin", "Sirin", "شیرین"),
    ("Jamal", "Djamal", "Dschamal", "Xhemal", "Cemal", "Dschemal", "جمال"),
    ("Othman", "Osman", "Usman", "Ousman", "عثمان"),
    ("Zainab", "Zeinab", "Zaynab", "Zeynep", "Sainab", "زينب"),
    ("Maryam", "Mariam", "Meriam", "Meryem", "مريم", "مریم"),
    ("Saeed", "Said", "Saeid", "Sayed", "سعيد", "سید"),
    ("Layla", "Leila", "Laila", "Leyla", "ليلى"),
    ("Karim", "Kareem", "كريم", "کریم"),
    ("Mustafa", "Mostafa", "Moustafa", "مصطفى", "مصطفی"),
    ("Aisha", "Aischa", "Aysha", "عائشة"),
    ("Issa", "Isa", "عيسى"),
    ("Abd al-Rahman", "Abdulrahman", "Abdel Rahman", "Abdelrahman", "Abdul Rahman", "Abdurrahman",
     "Abdirahman", "Cabdiraxmaan", "عبدالرحمن", "عبد الرحمن"),
    ("Abdullah", "Abdallah", "Abdulla", "Abdullahi", "عبدالله"),
    ("Abu Bakr", "Abubakr", "Abu-Bakr", "Abou Bakr", "Abubakar", "ابو بكر"),
    ("Salah ad-Din", "Salahuddin", "Salah Uddin", "Salaheddin"),
    # Persian/Dari, Pashto, Urdu
    ("Rahmatullah", "Rahmat Ullah", "Rahmat-ullah", "Rahmatulla"),
    ("Rezaei", "Rezai", "Rezaie", "رضایی"),
    ("Mahbooba", "Mahbuba", "محبوبه"),
    ("Qureshi", "Kureshi", "Qureschi"),
    ("Mousavi", "Musawi", "موسوی"),
    # Tigrinya / Amharic (Ge'ez)
    ("Tesfaye", "Tesfay", "Tesfai", "ተስፋዬ", "ተስፋይ"),
    ("Gebremedhin", "Gebre Medhin", "Ghebremedhin", "ገብረመድህን"),
    ("Woldemichael", "Wolde Michael", "Weldemichael"),
    ("Habtemariam", "Habte Mariam"),
    ("Yonas", "Jonas", "ዮናስ"),
    ("Kidane", "ኪዳነ"),
    ("Mehari", "Mehary", "መሓሪ"),
    ("Tsega", "ጸጋ"),
    # Somali
    ("Abdi", "Cabdi"),
    ("Ali", "Cali", "علي"),
    ("Farah", "Faarax"),
    ("Halima", "Xaliimo", "Halimo"),
    ("Jama", "Jaamac"),
    # Kurdish (Kurmanji Latin) and Albanian
    ("Xalid", "Khalid"),
    ("Shkelqim", "Skelkim", "Shkëlqim"),
    ("Krasniqi", "Krasniki"),
    ("Gëzim", "Gezim"),
    ("Rexhepi", "Redjepi"),
    ("Recep", "Receb", "Radscheb"),
    # German spellings: umlauts, ß, sch/tsch
    ("Müller", "Muller", "Mueller", "MÜLLER"),
    ("Weiß", "Weiss", "WEISS"),
    ("Shevchenko", "Schewtschenko"),
    ("Özdemir", "Oezdemir", "Ozdemir"),
]

MUST_DIFFER = [
    ("Hasan", "Husain"),  # glide: Hussein keeps the y/j of the diphthong ay/ei
    ("Hassan", "Hussein"),
    ("الحسن", "حسین"),
    ("Ali", "Omar"),
    ("Ali", "Ahmadi"),
    ("Ahmad", "Ahmadi"),  # the nisba -i is kept (final i = glide)
    ("Mohammed", "Mohammadi"),
    ("Elena", "Ali"),
    ("Fatima", "Amina"),
    ("Hassan", "Ahmad"),
    ("Yusuf", "Asif"),  # initial y is a consonant
    ("Jamal", "Amal"),
    ("Khalid", "Khalil"),
    ("Said", "Sadiq"),
    ("Karim", "Rahim"),
    ("Zainab", "Zaynub Ali"),
    ("Alina", "Ina"),  # Alina is not al + Ina
    ("Elham", "Ham"),
    ("Tesfaye", "Tesfamariam"),
    ("Gebremedhin", "Gebreyesus"),
    ("Hussaini", "Hussein"),
]

#: Pairs that the keys cannot tell apart (same consonants, no written vowels in Arabic script); the
#: engine separates them with folded() and the other fields. Pinned so that a change is noticed.
#: (Zaid/Said meet even in folded(): z/s is a fold, German writes s for ز.)
KNOWN_COLLISIONS = [
    ("Ali", "Alia"),  # final vowels never count: -a/-ah/-eh must meet, so Ali/Alia meet as well
    ("Omar", "Amr"),  # عمر and عمرو: the و of Amr is silent
    ("Mohammed", "Mahmoud"),  # m-h-m-d; Arabic script writes only the ū of Mahmoud
    ("Aisha", "Issa"),
    ("Amir", "Omar"),
]


@pytest.mark.parametrize("variants", SAME_KEY, ids=[v[0] for v in SAME_KEY])
def test_spelling_variants_share_their_keys(variants):
    keys = {tuple(name_keys(v)) for v in variants}
    assert len(keys) == 1, {v: name_keys(v) for v in variants}
    assert all(keys.copy().pop())


@pytest.mark.parametrize("a,b", MUST_DIFFER)
def test_different_names_keep_different_keys(a, b):
    assert name_keys(a) != name_keys(b)


@pytest.mark.parametrize("a,b", KNOWN_COLLISIONS)
def test_known_collisions_are_documented(a, b):
    assert name_keys(a) == name_keys(b)
    assert folded(a) != folded(b)


def test_examples_of_the_docs():
    assert name_keys("Mohammed") == ["mhmd"]
    assert name_keys("Al-Hassan") == ["hsn"]
    assert name_keys("Hussein") == ["hsjn"]
    assert name_key("Ali") == name_key("ali") == "alj"


def test_token_order_does_not_matter_for_name_keys():
    assert set(name_keys("Mohammed Al-Hassan")) == set(name_keys("Alhassan, Muhammad"))


def test_fathers_name_is_one_more_key():
    """Given name + father's name as second given name: the keys of the short form are a subset."""
    assert set(name_keys("Ahmad", "Al-Hassan")) < set(name_keys("Ahmad Khaled", "Al-Hassan"))


def test_token_keys_keep_order_and_duplicates():
    assert token_keys("Mohammed Ali Mohammed") == ["mhmd", "alj", "mhmd"]
    assert token_keys("Abd al-Rahman bin Khaled") == ["abdrhmn", "hld"]
    assert token_keys("") == [] and token_keys("--") == []


def test_tokens_drop_particles_and_glue_compounds():
    assert tokens("Abu al-Hassan") == ["abuhassan"]
    assert tokens("Mohammed bin Salman Al Saud") == ["mohammed", "salman", "saud"]
    assert tokens("Gebre Medhin") == ["gebremedhin"]
    assert tokens("Zabih Ullah") == ["zabihullah"]
    assert tokens("Al") == ["al"]  # a particle that is the whole part stays
    assert tokens("Sa'id O’Neill") == ["said", "oneill"]


def test_folded_form_for_jaro_winkler():
    assert folded("Mohammed al-Hassan") == "muhamad hasan"
    assert folded("Muhammad Hasan") == "muhamad hasan"
    assert folded("Hussein") == folded("Husain") == "husjn"
    assert folded("Müller") == folded("Mueller") == "mular"
    assert folded("محمد الحسن") == "mhmd hsn"
    assert folded("") == ""


def test_transliterate_original_script():
    assert transliterate("محمد") == "mhmd"
    assert transliterate("الحسين") == "al-hsayn"
    assert transliterate("كريم") == "krim"
    assert transliterate("ተስፋዬ") == "tesfaye"
    assert transliterate("ገብረመድህን") == "gebremedhn"
    assert transliterate("Anna Müller") == "anna muller"


@pytest.mark.parametrize("text,script", [("محمد", "arab"), ("ሰላም", "ethi"), ("Олена", "cyrl"), ("Anna", "latn"),
                                          ("123 محمد", "arab")])
def test_detect_script(text, script):
    assert detect_script(text) == script


# --------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------

NAMES = st.sampled_from([v for group in SAME_KEY for v in group if v.isascii()] + ["Khaled", "Shkelqim"])
LATIN_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=12)


@given(st.text(alphabet=st.characters(categories=["Lu", "Ll"], max_codepoint=0x24F), min_size=1, max_size=20))
def test_keys_ignore_case(name):
    assert name_keys(name.upper()) == name_keys(name.lower()) or name.upper().lower() != name.lower()


@given(NAMES, st.lists(st.sampled_from(["\u0301", "\u0308", "\u0327", "\u030c", "\u0300"]), min_size=1, max_size=3),
       st.data())
def test_keys_ignore_diacritics(name, marks, data):
    pos = data.draw(st.integers(0, len(name) - 1))
    marked = name[: pos + 1] + "".join(marks) + name[pos + 1:]
    assert name_keys(marked) == name_keys(name)


@given(st.sampled_from(["al", "el", "Al", "El", "AL"]), NAMES, st.sampled_from(["-", " ", " - ", "‐"]))
def test_keys_ignore_how_the_particle_is_attached(particle, name, joiner):
    assert name_keys(f"{particle}{joiner}{name}") == name_keys(name)


@given(LATIN_WORD, st.data())
def test_keys_ignore_doubled_consonants(word, data):
    # A glued article is only cut off when the rest does not start with its l ("Allahverdi" stays
    # whole), so doubling that l is a different spelling on purpose.
    assume(not word.startswith(("al", "el")))
    consonants = [i for i, ch in enumerate(word) if ch not in "aeiouy"]
    if not consonants:
        return
    i = data.draw(st.sampled_from(consonants))
    assert name_keys(word[: i + 1] + word[i:]) == name_keys(word)


@given(st.text(max_size=60))
def test_keys_never_crash_and_are_short_or_empty(text):
    for key in name_keys(text):
        assert key and len(key) <= KEY_LENGTH
    assert isinstance(folded(text), str) and isinstance(transliterate(text), str)
