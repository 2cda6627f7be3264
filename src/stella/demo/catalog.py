"""Static material for synthetic demo data: pilot districts and their agencies, origin countries with
weights, names (Latin transliteration variants and original script), municipalities and note texts.

Everything here is invented or public general knowledge (place names, postcodes, common given names);
no record describes a real person. Weights are rough shares of first-time asylum applications in
Germany 2015/16 (BAMF, "Aktuelle Zahlen") plus the arrivals from Ukraine since 2022 and Turkey since
2022, scaled for a demo, not statistics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# --------------------------------------------------------------------------------------------------
# Pilot districts, regions and agencies
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class District:
    """One Landkreis of the pilot with its agency codes and municipalities."""

    code: str  # LB, OG, RT, TUE
    landkreis: str  # name of the Landkreis
    bezirk: str  # code suffix of the Agenturbezirk (LB, OG, RT)
    city: str  # name of the city agency (STADT-…)
    city_municipality: str  # municipality served by the city agency
    weight: float  # share of demo persons (roughly by population)
    jc_name: str
    kt_name: str
    mb_name: str
    #: (municipality, postcodes, relative weight)
    municipalities: tuple[tuple[str, tuple[str, ...], int], ...] = field(default_factory=tuple)


DISTRICTS: tuple[District, ...] = (
    District(
        "LB", "Ludwigsburg", "LB", "Stadt Ludwigsburg", "Ludwigsburg", 0.36,
        "Jobcenter Landkreis Ludwigsburg", "Volkshochschule Ludwigsburg",
        "Migrationsberatung für Erwachsene Ludwigsburg",
        (
            ("Ludwigsburg", ("71634", "71636", "71638", "71640", "71642"), 30),
            ("Bietigheim-Bissingen", ("74321",), 14), ("Kornwestheim", ("70806",), 10),
            ("Vaihingen an der Enz", ("71665",), 7), ("Ditzingen", ("71254",), 6),
            ("Remseck am Neckar", ("71686",), 5), ("Asperg", ("71679",), 4), ("Besigheim", ("74354",), 4),
            ("Marbach am Neckar", ("71672",), 4), ("Sachsenheim", ("74343",), 4),
            ("Freiberg am Neckar", ("71691",), 4), ("Möglingen", ("71696",), 3), ("Gerlingen", ("70839",), 5),
            ("Korntal-Münchingen", ("70825",), 5), ("Markgröningen", ("71706",), 3), ("Bönnigheim", ("74357",), 2),
            ("Tamm", ("71732",), 2), ("Steinheim an der Murr", ("71711",), 2), ("Oberstenfeld", ("71720",), 2),
            ("Schwieberdingen", ("71701",), 2), ("Kirchheim am Neckar", ("74366",), 1),
            ("Pleidelsheim", ("74385",), 1), ("Großbottwar", ("71723",), 2), ("Sersheim", ("74372",), 1),
            ("Hemmingen", ("71282",), 1), ("Affalterbach", ("71563",), 1), ("Löchgau", ("74369",), 1),
        ),
    ),
    District(
        "OG", "Ortenaukreis", "OG", "Stadt Offenburg", "Offenburg", 0.29,
        "Kommunale Arbeitsförderung Ortenaukreis (Jobcenter)", "Volkshochschule Offenburg",
        "Migrationsberatung für Erwachsene Ortenau",
        (
            ("Offenburg", ("77652", "77654", "77656"), 28), ("Lahr/Schwarzwald", ("77933",), 20),
            ("Kehl", ("77694",), 14), ("Achern", ("77855",), 10), ("Oberkirch", ("77704",), 8),
            ("Haslach im Kinzigtal", ("77716",), 3), ("Wolfach", ("77709",), 2), ("Gengenbach", ("77723",), 4),
            ("Ettenheim", ("77955",), 4), ("Friesenheim", ("77948",), 4), ("Hausach", ("77756",), 2),
            ("Zell am Harmersbach", ("77736",), 2), ("Rheinau", ("77866",), 4), ("Willstätt", ("77731",), 3),
            ("Schutterwald", ("77746",), 2), ("Neuried", ("77743",), 3), ("Hohberg", ("77749",), 2),
            ("Appenweier", ("77767",), 3), ("Renchen", ("77871",), 2), ("Kippenheim", ("77971",), 2),
            ("Hornberg", ("78132",), 1), ("Seelbach", ("77960",), 1), ("Schwanau", ("77963",), 1),
        ),
    ),
    District(
        "RT", "Reutlingen", "RT", "Stadt Reutlingen", "Reutlingen", 0.19,
        "Jobcenter Landkreis Reutlingen", "Volkshochschule Reutlingen",
        "Migrationsberatung für Erwachsene Reutlingen",
        (
            ("Reutlingen", ("72760", "72762", "72764", "72766", "72768", "72770"), 45),
            ("Metzingen", ("72555",), 10), ("Pfullingen", ("72793",), 8), ("Eningen unter Achalm", ("72800",), 4),
            ("Dettingen an der Erms", ("72581",), 3), ("Bad Urach", ("72574",), 5), ("Münsingen", ("72525",), 5),
            ("Lichtenstein", ("72805",), 3), ("Sonnenbühl", ("72820",), 2), ("Trochtelfingen", ("72818",), 2),
            ("Pliezhausen", ("72124",), 3), ("Walddorfhäslach", ("72141",), 2), ("Wannweil", ("72827",), 2),
            ("Riederich", ("72585",), 1), ("Engstingen", ("72829",), 2), ("Zwiefalten", ("88529",), 1),
        ),
    ),
    District(
        "TUE", "Tübingen", "RT", "Universitätsstadt Tübingen", "Tübingen", 0.16,
        "Jobcenter Landkreis Tübingen", "Volkshochschule Tübingen",
        "Migrationsberatung für Erwachsene Tübingen",
        (
            ("Tübingen", ("72070", "72072", "72074", "72076"), 40), ("Rottenburg am Neckar", ("72108",), 20),
            ("Mössingen", ("72116",), 10), ("Ammerbuch", ("72119",), 5), ("Kusterdingen", ("72127",), 4),
            ("Ofterdingen", ("72131",), 3), ("Dettenhausen", ("72135",), 2), ("Nehren", ("72147",), 2),
            ("Gomaringen", ("72810",), 4), ("Dußlingen", ("72144",), 3), ("Kirchentellinsfurt", ("72138",), 3),
            ("Bodelshausen", ("72411",), 3), ("Starzach", ("72181",), 1),
        ),
    ),
)
DISTRICT_BY_CODE = {d.code: d for d in DISTRICTS}

#: Agenturbezirke: code suffix → (name, Landkreis whose code the agency office is registered in).
BEZIRKE: dict[str, str] = {"LB": "Ludwigsburg", "OG": "Offenburg", "RT": "Reutlingen"}

#: Reception centres of the Land (Erstaufnahme) – where a recent arrival may still live.
RECEPTION_CENTRES: tuple[tuple[str, str, str], ...] = (
    ("Ellwangen (Jagst)", "73479", "Landeserstaufnahmeeinrichtung, Georg-Elser-Straße 2"),
    ("Heidelberg", "69124", "Ankunftszentrum Patrick-Henry-Village"),
    ("Karlsruhe", "76131", "Landeserstaufnahmeeinrichtung, Durlacher Allee 100"),
    ("Freiburg im Breisgau", "79108", "Landeserstaufnahmeeinrichtung, Müllheimer Straße 7"),
    ("Sigmaringen", "72488", "Landeserstaufnahmeeinrichtung, Binger Straße 28"),
)

STREETS: tuple[str, ...] = (
    "Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Goethestraße", "Gartenstraße", "Lindenstraße",
    "Kirchstraße", "Friedrichstraße", "Wilhelmstraße", "Uhlandstraße", "Mörikestraße", "Schulstraße",
    "Talstraße", "Bergstraße", "Mühlweg", "Römerstraße", "Karlstraße", "Ludwigstraße", "Hölderlinweg",
    "Eichendorffstraße", "Keplerstraße", "Max-Eyth-Straße", "Robert-Bosch-Straße", "Gottlieb-Daimler-Straße",
    "Weinbergstraße", "Am Bahnhof", "Neckarstraße", "Brunnenstraße", "Rosenstraße", "Stuttgarter Straße",
    "Heilbronner Straße", "Tübinger Straße", "Uferstraße", "Industriestraße", "Ringstraße", "Marktplatz",
)

# --------------------------------------------------------------------------------------------------
# Origins and names
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameForm:
    """One name as it is written in its original script and its Latin transliterations (most usual first)."""

    original: str
    latin: tuple[str, ...]


def _forms(text: str) -> tuple[NameForm, ...]:
    """Parse 'original|Latin1,Latin2;original|Latin…' (original may be empty)."""
    out = []
    for item in text.split(";"):
        item = item.strip()
        if not item:
            continue
        original, _, latin = item.partition("|")
        out.append(NameForm(original.strip(), tuple(x.strip() for x in latin.split(",") if x.strip())))
    return tuple(out)


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1 or 639-3
    weight: float


@dataclass(frozen=True)
class Origin:
    """An origin country: its codes, how its people are named and which languages they speak."""

    iso3: str  # nationality (ISO 3166 alpha-3; XKX Kosovo, XXA stateless)
    bamf_key: str  # Staatsangehörigkeitsschlüssel (3 digits) used in the BAMF Aktenzeichen
    label: str
    weight: float
    script: str  # script of the original-language name: arab, ethi, cyrl, or latn (no second form)
    male: tuple[NameForm, ...]
    female: tuple[NameForm, ...]
    family: tuple[NameForm, ...]
    mother_tongues: tuple[Language, ...]
    second_languages: tuple[tuple[str, float], ...] = ()  # (language, probability)
    birth_places: tuple[str, ...] = ()
    #: share of persons whose birth date is only a year (recorded as 1 January)
    year_only: float = 0.03
    #: share recognised (protection) among those whose procedure has ended
    protection: float = 0.5
    #: arrival years with weights
    arrivals: tuple[tuple[int, float], ...] = ((2015, 5), (2016, 4), (2017, 1), (2018, 0.6), (2019, 0.5),
                                               (2020, 0.3), (2021, 0.4), (2022, 0.6), (2023, 0.7), (2024, 0.4),
                                               (2025, 0.2))
    passport: float = 0.3  # share holding a national passport
    passport_issuer: str = ""
    passport_prefix: str = "P"
    family_from_father: bool = False  # family name is the father's given name (Eritrea, Somalia)
    adult_male_share: float = 0.65


ARAB_MALE = _forms("""
محمد|Mohammed,Muhammad,Mohamed,Mohammad,Mohamad,Muhammed; أحمد|Ahmad,Ahmed,Achmed; علي|Ali;
عمر|Omar,Umar; خالد|Khaled,Khalid,Chalid; محمود|Mahmoud,Mahmud,Mahmood; حسن|Hassan,Hasan;
حسين|Hussein,Hussain,Husein; عبدالله|Abdullah,Abdallah,Abdulla; مصطفى|Mustafa,Mostafa,Moustafa;
إبراهيم|Ibrahim,Ebrahim; يوسف|Youssef,Yusuf,Yousef,Jusuf; بلال|Bilal; عامر|Amer,Aamer; سامر|Samer;
رامي|Rami; كريم|Karim,Kareem; طارق|Tarek,Tariq,Tarik; وليد|Walid,Waleed; أنس|Anas; عمار|Ammar;
فراس|Firas,Feras; جمال|Jamal,Gamal; سليمان|Suleiman,Sulaiman,Soliman; عبدالرحمن|Abdulrahman,Abdelrahman;
ياسر|Yasser,Yasir; مازن|Mazen; حمزة|Hamza,Hamzah; زياد|Ziad,Ziyad; باسل|Basel,Bassel; حيدر|Haidar,Haider;
عباس|Abbas; زيد|Zaid,Zeid; مهند|Mohannad,Muhannad; نبيل|Nabil,Nabeel
""")
ARAB_FEMALE = _forms("""
فاطمة|Fatima,Fatma,Fatimah; عائشة|Aisha,Aischa,Aysha; مريم|Mariam,Maryam,Meriam; نور|Nour,Noor,Nur;
رنا|Rana; هالة|Hala; لينا|Lina; رشا|Rasha; أمل|Amal; هدى|Huda,Hoda; زينب|Zainab,Zeinab,Zaynab;
ليلى|Layla,Leila,Laila; سارة|Sara,Sarah; ريم|Reem,Rim; ياسمين|Yasmin,Yasmine,Jasmin; هبة|Hiba,Heba;
رانيا|Rania,Ranya; أسماء|Asmaa,Asma; خديجة|Khadija,Khadijah,Chadija; آية|Aya,Ayah; سلمى|Salma;
رغد|Raghad; زهراء|Zahraa,Zahra; شهد|Shahad; رقية|Ruqaya,Roqaya; دعاء|Doaa,Duaa; بتول|Batoul,Batul
""")
ARAB_FAMILY = _forms("""
الحسن|Al-Hassan,Alhassan,Al Hasan; الأحمد|Al-Ahmad,Alahmad; العلي|Al-Ali,Alali; حمود|Hamoud,Hammoud;
خليل|Khalil,Chalil; إبراهيم|Ibrahim; محمد|Mohammed,Mohamad; حداد|Haddad; الخطيب|Al-Khatib,Alkhatib,El-Khatib;
الحسين|Al-Hussein,Alhussein; درويش|Darwish,Darwisch; سليمان|Suleiman,Sulaiman; المصري|Al-Masri,Almasri;
الحلبي|Al-Halabi,Alhalabi; عثمان|Othman,Osman; صالح|Saleh,Salih; عبدو|Abdo,Abdou; حسن|Hassan,Hasan;
أحمد|Ahmad,Ahmed; ناصر|Nasser,Naser; منصور|Mansour,Mansur; قاسم|Kassem,Qasim,Kasim;
الشامي|Al-Shami,Alshami,Al-Schami; زاهر|Zaher; بركات|Barakat; حمدان|Hamdan; عباس|Abbas;
الخلف|Al-Khalaf,Alkhalaf; العمر|Al-Omar,Alomar; الموسى|Al-Mousa,Almousa,Al-Musa; الحمد|Al-Hamad,Alhamad;
شيخو|Sheikho,Scheicho; حسو|Hasso,Hesso; عيسى|Issa,Isa; الكردي|Al-Kurdi,Kurdi; العبيدي|Al-Obaidi,Alobaidi;
الجبوري|Al-Jubouri,Aljubouri; التميمي|Al-Tamimi,Altamimi; الدليمي|Al-Dulaimi,Aldulaimi; يوسف|Youssef,Yousef
""")
PERSIAN_MALE = _forms("""
محمد|Mohammad,Mohammed,Muhammad; احمد|Ahmad,Ahmed; علی|Ali; رضا|Reza,Raza; حمید|Hamid; جواد|Jawad,Javad;
مصطفی|Mustafa,Mostafa; نوید|Navid,Naweed,Naveed; فرید|Farid,Fareed; رحیم|Rahim,Raheem; کریم|Karim,Kareem;
سید|Sayed,Sayyed,Said; حسین|Hussain,Hossain,Hussein; عبدالرحمن|Abdulrahman,Abdul Rahman;
ذبیح‌الله|Zabihullah,Zabiullah; رحمت‌الله|Rahmatullah; حکمت‌الله|Hekmatullah,Hikmatullah; شیر|Sher,Shir;
گل|Gul,Gol; وحید|Wahid,Vahid; مسعود|Masoud,Massoud,Masood; حبیب|Habib; نجیب‌الله|Najibullah;
اسدالله|Asadullah; عزیز|Aziz; فرهاد|Farhad; شفیق|Shafiq,Shafik; جاوید|Jawid,Javed,Jawed;
الیاس|Elyas,Ilyas; مرتضی|Murtaza,Morteza; مهدی|Mehdi,Mahdi; امیر|Amir; سعید|Saeed,Saeid
""")
PERSIAN_FEMALE = _forms("""
فاطمه|Fatima,Fatemeh,Fatema; زهرا|Zahra; مریم|Maryam,Mariam; مرضیه|Marzia,Marziya,Marziyeh;
محبوبه|Mahbooba,Mahbuba; نرگس|Nargis,Narges; شبنم|Shabnam; فرزانه|Farzana,Farzaneh; پروانه|Parwana,Parvaneh;
سکینه|Sakina,Sakineh; رویا|Roya; زرغونه|Zarghona,Zarghuna; فرشته|Freshta,Fereshta,Fereshteh;
حمیده|Hamida,Hamideh; نازنین|Nazanin; معصومه|Masooma,Masoumeh,Masuma; لیلا|Laila,Leila; سمیرا|Samira;
شیرین|Shirin; پریسا|Parisa; مینا|Mina; نسرین|Nasrin; الهام|Elham; مهسا|Mahsa; سارا|Sara
""")
AFGHAN_FAMILY = _forms("""
احمدی|Ahmadi; رحیمی|Rahimi; حسینی|Hussaini,Hosseini,Husseini; محمدی|Mohammadi,Muhammadi;
حیدری|Haidari,Heydari,Haydari; نوری|Noori,Nouri,Nuri; سلطانی|Sultani,Soltani; امیری|Amiri;
رضایی|Rezaei,Rezai,Rezaie; کریمی|Karimi; سادات|Sadat; ستانکزی|Stanekzai,Stanikzai; پوپلزی|Popalzai;
صافی|Safi; وردک|Wardak; ناصری|Naseri,Nasseri; جعفری|Jafari,Jafary; عزیزی|Azizi; هاشمی|Hashimi,Hashemi;
قادری|Qaderi,Kaderi; شریفی|Sharifi,Scharifi; یوسفزی|Yousufzai,Yusufzai; نیازی|Niazi; خان|Khan;
صدیقی|Siddiqi,Seddiqi; اکبری|Akbari; موسوی|Mousavi,Musawi; عثمانی|Osmani,Usmani; نظری|Nazari
""")
IRAN_FAMILY = _forms("""
محمدی|Mohammadi; حسینی|Hosseini,Hosseiny; احمدی|Ahmadi; رضایی|Rezaei,Rezaie; کریمی|Karimi; مرادی|Moradi;
جعفری|Jafari,Djafari; رحیمی|Rahimi; هاشمی|Hashemi; قاسمی|Ghasemi,Qasemi; صادقی|Sadeghi; کاظمی|Kazemi;
تهرانی|Tehrani; رستمی|Rostami; اکبری|Akbari; ابراهیمی|Ebrahimi; نوری|Nouri; موسوی|Mousavi; عباسی|Abbasi
""")
URDU_MALE = _forms("""
محمد|Muhammad,Mohammad,Mohammed; علی|Ali; احمد|Ahmed,Ahmad; عثمان|Usman,Osman; بلال|Bilal; عمران|Imran;
آصف|Asif; کاشف|Kashif; وقاص|Waqas; ذیشان|Zeeshan,Zishan; فیصل|Faisal,Faysal; حمزہ|Hamza; عدنان|Adnan;
شاہد|Shahid; طارق|Tariq,Tarik; نوید|Naveed,Navid
""")
URDU_FEMALE = _forms("""
عائشہ|Ayesha,Aisha; فاطمہ|Fatima; ثنا|Sana; صائمہ|Saima; نادیہ|Nadia; رابعہ|Rabia; حرا|Hira;
مہوش|Mehwish; آمنہ|Amna; سدرہ|Sidra
""")
URDU_FAMILY = _forms("""
خان|Khan; احمد|Ahmed,Ahmad; حسین|Hussain,Hussein; علی|Ali; بٹ|Butt; ملک|Malik; چوہدری|Chaudhry,Chaudhary;
قریشی|Qureshi,Kureshi; شاہ|Shah; رضا|Raza; اقبال|Iqbal; رانا|Rana; مرزا|Mirza; شیخ|Sheikh,Shaikh
""")
TIGRINYA_MALE = _forms("""
ዮናስ|Yonas,Jonas; ዳዊት|Dawit; ሰመረ|Semere; ፊልሞን|Filmon,Filimon; ሃብቶም|Habtom; ኣማኑኤል|Amanuel,Emanuel;
ሙሴ|Mussie,Musie; ሳሙኤል|Samuel; ሮቤል|Robel; ኣሮን|Aron; ዮሃንስ|Yohannes,Johannes; ቢንያም|Biniam,Biniyam;
ሚካኤል|Michael,Mikael; ተስፋይ|Tesfay,Tesfai,Tesfaye; መሓሪ|Mehari,Mehary; ኪዳነ|Kidane; ብርሃነ|Berhane,Birhane;
ጎይቶም|Goitom; ኤፍሬም|Efrem,Ephrem; ሄኖክ|Henok; ናትናኤል|Natnael
""")
TIGRINYA_FEMALE = _forms("""
ሰላም|Selam; ሄለን|Helen; ሰናይት|Senait,Senayt; ራሄል|Rahel; ዮርዳኖስ|Yordanos; ሳባ|Saba; ሉዋም|Luwam;
ፍረወይኒ|Freweini,Freweyni; መብራት|Mebrat; ጸጋ|Tsega; ዊንታ|Winta; ሕይወት|Hiwet,Hiwot; ሓና|Hanna;
ኤደን|Eden; ፌቨን|Feven; ምሕረት|Mihret
""")
TIGRINYA_FAMILY = _forms("""
ተስፋይ|Tesfay,Tesfai; መሓሪ|Mehari; ኪዳነ|Kidane; ተኽለ|Tekle,Teklay; ሃብተ|Habte; በርሀ|Berhe; ሃይለ|Haile;
ገብረየሱስ|Ghebreyesus,Gebreyesus; ተስፋማርያም|Tesfamariam,Tesfamaryam; ወልደሚካኤል|Weldemichael,Woldemichael;
ገብረማርያም|Gebremariam,Ghebremariam; ኣስመሮም|Asmerom; የማነ|Yemane; ኣንደማርያም|Andemariam; ተወልደ|Tewelde;
ኣብርሃ|Abraha; ገብረመድህን|Ghebremedhin,Gebremedhin; ዘርኣይ|Zerai; ነጋሽ|Negash
""")
SOMALI_MALE = _forms("""
|Mohamed,Maxamed; |Abdi,Cabdi; |Abdirahman,Cabdiraxmaan; |Abdullahi; |Ahmed,Axmed; |Ali,Cali;
|Hassan,Xasan; |Omar,Cumar; |Yusuf,Yuusuf; |Farah,Faarax; |Ismail; |Abdikarim; |Mahad; |Liban; |Said
""")
SOMALI_FEMALE = _forms("""
|Fadumo,Faadumo; |Hodan; |Amina,Aamina; |Asha,Caasha; |Halima,Xaliimo; |Sahra,Sahro; |Hawa,Xawo;
|Ifrah; |Khadija,Khadiijo; |Nasra,Nasro; |Ubah,Ubax; |Hibo; |Sagal
""")
SOMALI_FAMILY = _forms("""
|Mohamed; |Ali,Cali; |Hassan,Xasan; |Abdi,Cabdi; |Farah,Faarax; |Warsame; |Jama,Jaamac; |Omar,Cumar;
|Osman,Cismaan; |Nur,Nuur; |Aden,Aadan; |Yusuf; |Ahmed,Axmed; |Hussein; |Ibrahim; |Dahir; |Guled
""")
ALBANIAN_MALE = _forms("""
|Arben; |Besnik; |Driton; |Fatmir; |Gëzim,Gezim; |Ilir; |Kastriot; |Leutrim; |Valon; |Arbër,Arber; |Endrit;
|Erion; |Blerim; |Agron; |Bujar; |Florian; |Armend; |Ardit
""")
ALBANIAN_FEMALE = _forms("""
|Arta; |Besa; |Blerta; |Drita; |Elira; |Fatjona; |Valbona; |Vjosa; |Mimoza; |Teuta; |Liridona; |Albana;
|Jeta; |Arbëresha,Arberesha; |Shqipe
""")
ALBANIAN_FAMILY = _forms("""
|Krasniqi,Krasniki; |Gashi; |Berisha; |Hoxha,Hodza; |Shala; |Morina; |Hasani; |Bytyqi,Bytyci; |Kelmendi;
|Rexhepi,Redzepi; |Shehu; |Dervishi; |Leka; |Çela,Cela; |Kola; |Hoti; |Rama; |Musliu; |Osmani
""")
NIGERIAN_MALE = _forms("""
|Chinedu; |Emeka; |Oluwaseun; |Tunde; |Ibrahim; |Musa; |Abubakar; |Samuel; |Daniel; |Godwin; |Emmanuel;
|Ikechukwu; |Osagie; |Efosa; |Friday; |Kingsley
""")
NIGERIAN_FEMALE = _forms("""
|Blessing; |Chioma; |Ngozi; |Funmilayo; |Aisha; |Amina; |Grace; |Joy; |Precious; |Esther; |Folake; |Osas;
|Favour; |Success
""")
NIGERIAN_FAMILY = _forms("""
|Okafor; |Okonkwo; |Adeyemi; |Ogunleye; |Eze; |Nwosu; |Bello; |Abubakar; |Ibrahim; |Olawale; |Obi;
|Adebayo; |Okeke; |Osagie; |Igbinedion; |Omoregie; |Osaghae; |Edosa
""")
UKRAINIAN_MALE = _forms("""
Олександр|Oleksandr,Olexandr,Aleksandr; Андрій|Andrii,Andriy,Andrij; Сергій|Serhii,Serhiy,Sergii;
Володимир|Volodymyr,Wolodymyr; Дмитро|Dmytro,Dmitro; Микола|Mykola; Іван|Ivan,Iwan; Юрій|Yurii,Yuriy,Jurij;
Олег|Oleh,Oleg; Віталій|Vitalii,Vitaliy,Witalij; Максим|Maksym,Maxym; Артем|Artem; Богдан|Bohdan
""")
UKRAINIAN_FEMALE = _forms("""
Олена|Olena; Оксана|Oksana; Наталія|Nataliia,Natalia,Nataliya; Ірина|Iryna,Irina; Тетяна|Tetiana,Tetyana;
Юлія|Yuliia,Yuliya,Julija; Світлана|Svitlana,Swetlana; Анастасія|Anastasiia,Anastasia; Катерина|Kateryna;
Марина|Maryna,Marina; Вікторія|Viktoriia,Viktoria; Людмила|Liudmyla,Lyudmyla; Галина|Halyna; Ольга|Olha,Olga;
Софія|Sofiia,Sofia; Дарина|Daryna
""")
UKRAINIAN_FAMILY = _forms("""
Шевченко|Shevchenko,Schewtschenko; Коваленко|Kovalenko,Kowalenko; Бондаренко|Bondarenko;
Ткаченко|Tkachenko,Tkatschenko; Кравченко|Kravchenko,Krawtschenko; Бойко|Boiko,Boyko; Мельник|Melnyk,Melnik;
Коваль|Koval,Kowal; Олійник|Oliinyk,Oliynyk; Шевчук|Shevchuk,Schewtschuk; Поліщук|Polishchuk;
Лисенко|Lysenko,Lyssenko; Мороз|Moroz; Марченко|Marchenko; Руденко|Rudenko; Савченко|Savchenko,Sawtschenko;
Петренко|Petrenko; Ковальчук|Kovalchuk,Kowaltschuk; Кравчук|Kravchuk; Павленко|Pavlenko,Pawlenko
""")
TURKISH_MALE = _forms("""
|Mehmet; |Mustafa; |Ahmet; |Ali; |Hüseyin,Hueseyin; |Hasan; |İbrahim,Ibrahim; |Yusuf; |Murat; |Ömer,Oemer;
|Emre; |Serkan; |Ramazan; |Abdullah; |Mahmut
""")
TURKISH_FEMALE = _forms("""
|Fatma; |Ayşe,Ayse; |Emine; |Hatice; |Zeynep; |Elif; |Meryem; |Rojda; |Berfin; |Dilan; |Leyla; |Gülistan,Gulistan
""")
TURKISH_FAMILY = _forms("""
|Yılmaz,Yilmaz; |Kaya; |Demir; |Şahin,Sahin; |Çelik,Celik; |Yıldız,Yildiz; |Aydın,Aydin; |Özdemir,Oezdemir;
|Arslan; |Doğan,Dogan; |Kılıç,Kilic; |Aslan; |Çetin,Cetin; |Kara; |Koç,Koc; |Kurt; |Polat; |Tekin; |Ekinci
""")
GAMBIAN_MALE = _forms("""
|Lamin; |Ousman,Ousmane; |Modou,Modu; |Ebrima; |Alieu,Aliu; |Bakary,Bakari; |Momodou; |Abdoulie; |Omar;
|Saikou; |Sulayman; |Musa; |Yusupha
""")
GAMBIAN_FEMALE = _forms("""
|Fatou,Fatu; |Isatou,Isatu; |Mariama; |Awa; |Binta; |Haddy; |Kaddy; |Ndey; |Aminata
""")
GAMBIAN_FAMILY = _forms("""
|Jallow; |Bah; |Ceesay; |Sowe; |Touray; |Camara; |Jammeh; |Darboe; |Sanneh; |Jobe; |Njie; |Drammeh;
|Manneh; |Sonko; |Barry; |Colley
""")

ARRIVALS_2015 = ((2014, 0.6), (2015, 5), (2016, 4), (2017, 1), (2018, 0.7), (2019, 0.6), (2020, 0.3),
                 (2021, 0.4), (2022, 0.6), (2023, 0.8), (2024, 0.5), (2025, 0.3))

ORIGINS: tuple[Origin, ...] = (
    Origin("SYR", "475", "Syrien", 30, "arab", ARAB_MALE, ARAB_FEMALE, ARAB_FAMILY,
           (Language("ar", 0.85), Language("ku", 0.15)), (("en", 0.3),),
           ("Aleppo", "Damaskus", "Homs", "Idlib", "Deir ez-Zor", "Rakka", "Hasaka", "Qamischli", "Latakia",
            "Hama", "Daraa", "Afrin"),
           year_only=0.05, protection=0.97, arrivals=ARRIVALS_2015, passport=0.4,
           passport_issuer="Syrische Arabische Republik", passport_prefix="N", adult_male_share=0.68),
    Origin("AFG", "423", "Afghanistan", 14, "arab", PERSIAN_MALE, PERSIAN_FEMALE, AFGHAN_FAMILY,
           (Language("prs", 0.65), Language("ps", 0.35)), (("fa", 0.25), ("en", 0.15)),
           ("Kabul", "Herat", "Masar-e Scharif", "Kandahar", "Ghazni", "Kundus", "Dschalalabad", "Baglan",
            "Teheran", "Maschhad"),
           year_only=0.35, protection=0.6,
           arrivals=((2015, 3), (2016, 3.5), (2017, 1), (2018, 0.6), (2019, 0.6), (2020, 0.4), (2021, 1.2),
                     (2022, 1.5), (2023, 1.4), (2024, 0.6), (2025, 0.3)),
           passport=0.15, passport_issuer="Islamische Republik Afghanistan", passport_prefix="P",
           adult_male_share=0.75),
    Origin("IRQ", "438", "Irak", 10, "arab", ARAB_MALE, ARAB_FEMALE, ARAB_FAMILY,
           (Language("ar", 0.6), Language("ku", 0.4)), (("en", 0.2),),
           ("Bagdad", "Mossul", "Erbil", "Basra", "Kirkuk", "Sindschar", "Dohuk", "Sulaimaniyya", "Falludscha"),
           year_only=0.08, protection=0.6, arrivals=ARRIVALS_2015, passport=0.25,
           passport_issuer="Republik Irak", passport_prefix="A", adult_male_share=0.64),
    Origin("ERI", "224", "Eritrea", 4, "ethi", TIGRINYA_MALE, TIGRINYA_FEMALE, TIGRINYA_FAMILY,
           (Language("ti", 0.85), Language("tig", 0.15)), (("ar", 0.15), ("am", 0.2), ("en", 0.25)),
           ("Asmara", "Keren", "Mendefera", "Dekemhare", "Massawa", "Adi Keyh", "Barentu"),
           year_only=0.2, protection=0.9, arrivals=ARRIVALS_2015, passport=0.05,
           passport_issuer="Staat Eritrea", passport_prefix="E", family_from_father=True, adult_male_share=0.7),
    Origin("IRN", "439", "Iran", 4, "arab", PERSIAN_MALE, PERSIAN_FEMALE, IRAN_FAMILY,
           (Language("fa", 0.9), Language("ku", 0.1)), (("en", 0.4),),
           ("Teheran", "Maschhad", "Isfahan", "Schiras", "Täbris", "Ahvaz", "Kermanschah", "Karadsch"),
           year_only=0.03, protection=0.45, arrivals=ARRIVALS_2015, passport=0.5,
           passport_issuer="Islamische Republik Iran", passport_prefix="K", adult_male_share=0.6),
    Origin("ALB", "121", "Albanien", 3, "latn", ALBANIAN_MALE, ALBANIAN_FEMALE, ALBANIAN_FAMILY,
           (Language("sq", 1.0),), (("it", 0.2), ("en", 0.2)),
           ("Tirana", "Shkodër", "Durrës", "Elbasan", "Fier", "Korçë", "Berat"),
           year_only=0.01, protection=0.02,
           arrivals=((2014, 1), (2015, 5), (2016, 1.5), (2017, 0.5), (2018, 0.4), (2019, 0.4), (2020, 0.2),
                     (2021, 0.2), (2022, 0.3), (2023, 0.3), (2024, 0.2)),
           passport=0.85, passport_issuer="Republik Albanien", passport_prefix="B", adult_male_share=0.55),
    Origin("XKX", "150", "Kosovo", 2, "latn", ALBANIAN_MALE, ALBANIAN_FEMALE, ALBANIAN_FAMILY,
           (Language("sq", 1.0),), (("sr", 0.2), ("en", 0.2)),
           ("Pristina", "Prizren", "Peja", "Mitrovica", "Ferizaj", "Gjakova", "Gjilan"),
           year_only=0.01, protection=0.02,
           arrivals=((2014, 1.5), (2015, 5), (2016, 1), (2017, 0.4), (2018, 0.3), (2019, 0.3), (2020, 0.2),
                     (2021, 0.2), (2022, 0.2), (2023, 0.2)),
           passport=0.85, passport_issuer="Republik Kosovo", passport_prefix="P", adult_male_share=0.55),
    Origin("SOM", "273", "Somalia", 3, "latn", SOMALI_MALE, SOMALI_FEMALE, SOMALI_FAMILY,
           (Language("so", 1.0),), (("ar", 0.2), ("en", 0.25)),
           ("Mogadischu", "Kismayo", "Baidoa", "Hargeisa", "Beledweyne", "Galkayo", "Bosaso"),
           year_only=0.3, protection=0.65, arrivals=ARRIVALS_2015, passport=0.05,
           passport_issuer="Bundesrepublik Somalia", passport_prefix="P", family_from_father=True,
           adult_male_share=0.65),
    Origin("NGA", "232", "Nigeria", 3, "latn", NIGERIAN_MALE, NIGERIAN_FEMALE, NIGERIAN_FAMILY,
           (Language("en", 0.3), Language("bin", 0.35), Language("yo", 0.15), Language("ig", 0.12),
            Language("ha", 0.08)), (("en", 0.9),),
           ("Benin City", "Lagos", "Kano", "Abuja", "Enugu", "Ibadan", "Port Harcourt"),
           year_only=0.05, protection=0.15,
           arrivals=((2015, 2), (2016, 3.5), (2017, 2), (2018, 1.2), (2019, 1), (2020, 0.5), (2021, 0.5),
                     (2022, 0.6), (2023, 0.6), (2024, 0.4)),
           passport=0.25, passport_issuer="Bundesrepublik Nigeria", passport_prefix="A", adult_male_share=0.55),
    Origin("PAK", "461", "Pakistan", 3, "arab", URDU_MALE, URDU_FEMALE, URDU_FAMILY,
           (Language("ur", 0.5), Language("pa", 0.35), Language("ps", 0.15)), (("en", 0.5),),
           ("Lahore", "Karatschi", "Peschawar", "Sialkot", "Gujrat", "Rawalpindi", "Faisalabad"),
           year_only=0.05, protection=0.05,
           arrivals=((2015, 2.5), (2016, 3), (2017, 1), (2018, 0.6), (2019, 0.5), (2020, 0.3), (2021, 0.3),
                     (2022, 0.4), (2023, 0.5), (2024, 0.3)),
           passport=0.5, passport_issuer="Islamische Republik Pakistan", passport_prefix="AB",
           adult_male_share=0.9),
    Origin("UKR", "166", "Ukraine", 14, "cyrl", UKRAINIAN_MALE, UKRAINIAN_FEMALE, UKRAINIAN_FAMILY,
           (Language("uk", 0.75), Language("ru", 0.25)), (("ru", 0.7), ("en", 0.35)),
           ("Kyjiw", "Charkiw", "Odesa", "Dnipro", "Saporischschja", "Mariupol", "Mykolajiw", "Lwiw", "Cherson",
            "Poltawa", "Sumy"),
           year_only=0.0, protection=1.0,
           arrivals=((2022, 10), (2023, 3), (2024, 1.5), (2025, 1)),
           passport=0.85, passport_issuer="Ukraine", passport_prefix="FA", adult_male_share=0.3),
    Origin("TUR", "163", "Türkei", 4, "latn", TURKISH_MALE, TURKISH_FEMALE, TURKISH_FAMILY,
           (Language("tr", 0.55), Language("ku", 0.45)), (("en", 0.2),),
           ("Diyarbakır", "Istanbul", "Ankara", "Mardin", "Van", "Şanlıurfa", "Batman", "Gaziantep"),
           year_only=0.02, protection=0.15,
           arrivals=((2016, 0.5), (2017, 0.6), (2018, 0.5), (2019, 0.5), (2020, 0.3), (2021, 0.5), (2022, 2),
                     (2023, 3.5), (2024, 1.5), (2025, 0.5)),
           passport=0.35, passport_issuer="Republik Türkei", passport_prefix="U", adult_male_share=0.75),
    Origin("GMB", "237", "Gambia", 2, "latn", GAMBIAN_MALE, GAMBIAN_FEMALE, GAMBIAN_FAMILY,
           (Language("mnk", 0.45), Language("wo", 0.3), Language("ff", 0.25)), (("en", 0.85),),
           ("Serekunda", "Banjul", "Brikama", "Farafenni", "Bakau", "Soma"),
           year_only=0.15, protection=0.05,
           arrivals=((2015, 3), (2016, 3.5), (2017, 1.5), (2018, 0.5), (2019, 0.3), (2020, 0.2), (2021, 0.2),
                     (2022, 0.3), (2023, 0.3)),
           passport=0.3, passport_issuer="Republik Gambia", passport_prefix="PC", adult_male_share=0.92),
)
ORIGIN_BY_ISO = {o.iso3: o for o in ORIGINS}

#: Good prospects to stay ("gute Bleibeperspektive", BAMF list 2016) – early AA measures (§39a SGB III).
GOOD_PROSPECTS = frozenset({"SYR", "ERI", "IRQ", "IRN", "SOM"})
#: Safe countries of origin (Anlage II zu §29a AsylG) among the demo origins.
SAFE_COUNTRIES = frozenset({"ALB", "XKX"})

# --------------------------------------------------------------------------------------------------
# Staff (demo users) and timeline texts
# --------------------------------------------------------------------------------------------------

#: German first and family names for demo staff accounts (fictional people).
STAFF_FIRST = ("Katrin", "Thomas", "Sabine", "Michael", "Julia", "Stefan", "Anja", "Markus", "Sandra", "Andreas",
               "Nicole", "Jürgen", "Claudia", "Tobias", "Melanie", "Daniel", "Petra", "Florian", "Birgit", "Jan",
               "Heike", "Matthias", "Simone", "Christian", "Lena", "Ayşe", "Dimitrios", "Elena", "Mehmet", "Natalia")
STAFF_LAST = ("Weber", "Schneider", "Fischer", "Wagner", "Becker", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter",
              "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann",
              "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Maier", "Huber", "Kaya", "Papadopoulos", "Fritz",
              "Haug")

OCCUPATIONS = (
    ("Koch", "Gastronomie"), ("Elektriker", "Elektrotechnik"), ("Schneiderin", "Textil"), ("Friseur", "Körperpflege"),
    ("Lehrerin", "Erziehung"), ("Berufskraftfahrer", "Logistik"), ("Bauhelfer", "Bau"), ("Landwirt", "Landwirtschaft"),
    ("Verkäufer", "Handel"), ("Krankenpfleger", "Pflege"), ("Kfz-Mechaniker", "Kfz-Technik"), ("Maler", "Ausbau"),
    ("Schweißer", "Metallbau"), ("Buchhalterin", "Büro"), ("Bauingenieur", "Bau"), ("Bäcker", "Lebensmittel"),
    ("Fliesenleger", "Ausbau"), ("Tischler", "Holz"), ("Softwareentwickler", "IT"), ("Pflegehelferin", "Pflege"),
    ("Lagerarbeiter", "Logistik"), ("Apothekerin", "Gesundheit"), ("Zahnarzt", "Gesundheit"), ("Näherin", "Textil"),
)
EMPLOYERS = ("Logistikunternehmen", "Handwerksbetrieb", "Pflegeheim", "Automobilzulieferer", "Restaurant",
             "Bäckerei", "Reinigungsfirma", "Baufirma", "Supermarkt", "Maschinenbauer", "Zeitarbeitsfirma",
             "Krankenhaus", "Gärtnerei", "Hotel")

#: Timeline texts per (agency kind, category): (kind, title, text template).
#: Placeholders: {occ} occupation, {field} field, {emp} employer, {muni} municipality, {lvl} CEFR level,
#: {kt} course provider, {date} a date, {origin} origin country.
ENTRY_TEXTS: dict[tuple[str, str], tuple[tuple[str, str, str], ...]] = {
    ("JC", "counselling"): (
        ("contact", "Erstgespräch nach Rechtskreiswechsel",
         "Erstgespräch nach Übergang aus dem AsylbLG. Schulbildung im Herkunftsland ({origin}), Berufserfahrung "
         "als {occ}. Kundin/Kunde möchte möglichst bald arbeiten; Eingliederungsvereinbarung besprochen."),
        ("contact", "Beratungsgespräch", "Stand Sprachkurs besprochen (aktuell {lvl}). Nächster Termin in 6 Wochen."),
        ("contact", "Termin nicht wahrgenommen", "Einladung nicht gefolgt, neuer Termin schriftlich mit "
         "Rechtsfolgenbelehrung."),
        ("note", "Kinderbetreuung", "Betreuungsplatz für das jüngste Kind noch offen; Rückfrage bei der Stadt {muni}."),
        ("contact", "Kooperationsplan", "Kooperationsplan fortgeschrieben: Ziel Arbeitsaufnahme im Bereich {field}."),
    ),
    ("JC", "placement"): (
        ("note", "Vermittlungsvorschlag", "Vermittlungsvorschlag als Helfer/in bei {emp} in {muni} übergeben."),
        ("note", "Arbeitsaufnahme", "Arbeitsaufnahme bei {emp} ({field}) zum {date}; Einkommen wird angerechnet."),
        ("note", "Einstiegsqualifizierung", "EQ bei {emp} vereinbart, Beginn {date}."),
    ),
    ("JC", "competences"): (
        ("note", "Potenzialanalyse", "Potenzialanalyse: Erfahrung als {occ}, Deutsch {lvl}, Führerschein Klasse B vorhanden."),
        ("note", "Anerkennungsberatung", "Abschluss aus {origin} ({occ}); Unterlagen an die Anerkennungsstelle, "
         "IQ-Netzwerk einbezogen."),
    ),
    ("JC", "benefits"): (
        ("status", "Bewilligung Bürgergeld", "Leistungen nach dem SGB II für die Bedarfsgemeinschaft bewilligt."),
        ("note", "Weiterbewilligungsantrag", "Weiterbewilligungsantrag eingegangen, Kontoauszüge angefordert."),
    ),
    ("AA", "counselling"): (
        ("contact", "Erstberatung (§39a SGB III)", "Frühzeitige Beratung während des Asylverfahrens. Berufserfahrung "
         "als {occ}; Interesse an Tätigkeit im Bereich {field}."),
        ("contact", "Berufsberatung", "Beratung zu Ausbildungsmöglichkeiten im Bereich {field}; Praktikum empfohlen."),
    ),
    ("AA", "placement"): (
        ("note", "Maßnahme PerF", "Zuweisung in Maßnahme „Perspektiven für Flüchtlinge“ (12 Wochen) ab {date}."),
        ("note", "Vermittlungsvorschlag", "Vermittlungsvorschlag bei {emp} in {muni}."),
    ),
    ("AA", "competences"): (
        ("note", "Kompetenzfeststellung", "Kompetenzfeststellung bei {emp}: praktische Fähigkeiten als {occ} bestätigt."),
    ),
    ("LRA", "benefits"): (
        ("status", "AsylbLG-Bewilligung", "Grundleistungen nach §3 AsylbLG bewilligt."),
        ("status", "Analogleistungen", "Wartezeit erfüllt: Leistungen nach §2 AsylbLG ab {date}."),
    ),
    ("LRA", "counselling"): (
        ("contact", "Flüchtlingssozialarbeit", "Beratung in der Gemeinschaftsunterkunft; Unterstützung bei "
         "Anmeldung zum Integrationskurs."),
        ("contact", "Sozialberatung", "Fragen zur Anschlussunterbringung in {muni} geklärt."),
    ),
    ("LRA", "residence"): (
        ("status", "Zuweisung vorläufige Unterbringung", "Aufnahme in die vorläufige Unterbringung des Landkreises."),
        ("status", "Zuteilung Anschlussunterbringung", "Zuteilung zur Anschlussunterbringung in {muni}."),
    ),
    ("LRA", "health"): (
        ("note", "Behandlungsschein", "Behandlungsschein nach §4 AsylbLG ausgestellt."),
    ),
    ("ABH", "residence"): (
        ("status", "Aufenthaltsgestattung verlängert", "Bescheinigung über die Aufenthaltsgestattung verlängert bis {date}."),
        ("status", "Aufenthaltserlaubnis erteilt", "Aufenthaltserlaubnis (eAT) ausgehändigt, gültig bis {date}."),
        ("status", "Duldung verlängert", "Duldung verlängert bis {date}; Mitwirkung bei der Passbeschaffung besprochen."),
        ("note", "Beschäftigungserlaubnis", "Beschäftigungserlaubnis für Tätigkeit bei {emp} erteilt."),
    ),
    ("STADT", "counselling"): (
        ("contact", "Integrationsmanagement", "Integrationsplan erstellt: Sprachkurs, Arbeit im Bereich {field}, "
         "Wohnungssuche in {muni}."),
        ("contact", "Wohnungssuche", "Unterstützung bei der Wohnungssuche; Wohnberechtigungsschein beantragt."),
    ),
    ("STADT", "residence"): (
        ("status", "Anschlussunterbringung", "Einzug in die Anschlussunterbringung in {muni}."),
    ),
    ("KT", "competences"): (
        ("status", "Kursbeginn Integrationskurs", "Beginn Integrationskurs bei {kt} am {date}."),
        ("status", "DTZ-Ergebnis", "Deutsch-Test für Zuwanderer: Niveau {lvl} erreicht."),
        ("status", "Berufssprachkurs", "Teilnahme am Berufssprachkurs (DeuFöV) ab {date}."),
    ),
}

#: Legal bases of participations per agency kind and situation.
PARTICIPATION_BASIS = {
    "LRA": "§§1, 3 AsylbLG; §8 FlüAG BW",
    "JC": "§§7, 19 ff. SGB II",
    "AA_EARLY": "§39a SGB III (frühzeitige Förderung)",
    "AA": "§35 SGB III",
    "ABH": "§71 AufenthG",
    "STADT": "§18 FlüAG BW (Integrationsmanagement)",
    "KT": "§8 IntV (Integrationskurs)",
}

#: Reference dates of the rules the generator follows.
UKRAINE_HANDOVER = date(2022, 6, 1)
UKRAINE_PROTECTION_UNTIL = date(2027, 3, 4)

# --------------------------------------------------------------------------------------------------
# Journeys: teams, course runs, appointments (see demo.journeys)
# --------------------------------------------------------------------------------------------------

#: Teams of an agency that lead cases, with their share of the caseload (Participation.team, User.team).
TEAMS: tuple[tuple[str, float], ...] = (("Team 1", 0.45), ("Team 2", 0.35), ("Team 3", 0.20))


@dataclass(frozen=True)
class CourseType:
    """A course or measure the generated persons attend; runs of it are generated on demand per district.

    kind: offers.OfferKind; owner: agency kind that manages the runs (KT runs are provided by the district's
    Kursträger); days: planned duration; lead_days: typical time between the first request and the start.
    """

    key: str
    kind: str
    title: str
    measure_type: str
    module: str
    target_level: str
    min_level: str
    seats: int
    days: int
    owner: str
    childcare: bool = False
    women_only: bool = False
    part_time: bool = False


COURSE_TYPES: dict[str, CourseType] = {c.key: c for c in (
    CourseType("ik", "integration_course", "Integrationskurs (allgemein) B1", "", "Basissprachkurs und Aufbausprachkurs",
               "B1", "", 20, 240, "JC"),
    CourseType("ik_kinder", "integration_course", "Integrationskurs mit Kinderbetreuung B1", "",
               "Basissprachkurs und Aufbausprachkurs", "B1", "", 16, 300, "JC", childcare=True, part_time=True),
    CourseType("ik_frauen", "integration_course", "Frauenintegrationskurs B1", "", "Basissprachkurs und Aufbausprachkurs",
               "B1", "", 14, 300, "JC", childcare=True, women_only=True, part_time=True),
    CourseType("ik_alpha", "integration_course", "Alphabetisierungskurs A2", "", "Alphabetisierung", "A2", "", 12, 330,
               "JC"),
    CourseType("deufoev", "deufoev", "Berufssprachkurs B2", "", "Basismodul B2", "B2", "B1", 20, 150, "JC"),
    CourseType("deufoev_pflege", "deufoev", "Berufssprachkurs Pflege B2", "", "Spezialmodul Pflege", "B2", "B1", 15,
               180, "JC", part_time=True),
    CourseType("perf", "measure", "PerF – Perspektiven für Flüchtlinge", "perf", "", "", "A2", 18, 180, "AA"),
    CourseType("kompas", "measure", "KompAS – Kompetenzfeststellung und Sprache", "kompas", "", "", "A1", 20, 270,
               "JC", childcare=True),
    CourseType("eq", "measure", "Einstiegsqualifizierung Lager und Logistik", "eq", "", "", "A2", 8, 300, "JC"),
    CourseType("mag", "measure", "Maßnahme bei einem Arbeitgeber (MAG)", "mag", "", "", "A2", 10, 90, "JC"),
)}

#: Appointment purposes: the first counselling, the Jobcenter's first appointment, follow-ups per agency kind.
FIRST_COUNSELLING = "Erstberatung"
FIRST_JC_APPOINTMENT = "Erstgespräch im Jobcenter nach Rechtskreiswechsel"
FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    "LRA": ("Sozialberatung", "Beratung zur Anschlussunterbringung", "Leistungsgespräch AsylbLG"),
    "JC": ("Beratungsgespräch", "Kooperationsplan fortschreiben", "Vermittlungsgespräch",
           "Gespräch zum Sprachkursabschluss"),
    "AA": ("Beratung nach §39a SGB III", "Berufsberatung"),
}
CANCEL_REASONS = ("Krankmeldung", "Terminüberschneidung mit dem Sprachkurs", "Dolmetscher/in nicht verfügbar",
                  "Termin von der Behörde verlegt")
