"""Text blocks of the invitation letter: the German letter and short translations into the languages
refugees in the pilot districts most often speak.

The German text is authoritative; a translation block is printed below it "zur Information". Each
block notes who translated it and whether it has been reviewed. Blocks marked `reviewed_on=None` are
drafts: they must be checked by a qualified translator who is a native speaker before letters go out
in production (see docs/journey.md, "Aufgaben und Termine"). To change a text, edit it here and record
the review in `translator` / `review` / `reviewed_on`.

Placeholders: {agency}, {weekday}, {date}, {start}, {end}, {place}. Arabic-script texts are written
without harakat (short-vowel and tanween marks): the letter renderer draws presentation forms, which
carry no mark positioning, so marks would be dropped anyway (arabic-reshaper's default).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class LetterText:
    """One language's text of the invitation."""

    code: str  # ISO 639-1 where there is one
    aliases: frozenset[str]  # further ISO 639 codes served by this block (e.g. Dari for Persian)
    name_de: str  # the language's German name, for the caseworker and the letter's German part
    endonym: str  # the language's own name, as the heading's label
    rtl: bool
    heading: str
    invited: str
    when: str
    where: str
    interpreter: str
    bring: str
    cannot_come: str
    weekdays: tuple[str, str, str, str, str, str, str]  # Monday first
    translator: str
    review: str
    reviewed_on: date | None = None

    @property
    def reviewed(self) -> bool:
        return self.reviewed_on is not None

    @property
    def status_de(self) -> str:
        if self.reviewed_on is None:
            return f"Entwurf, ungeprüft ({self.translator})"
        return f"geprüft am {self.reviewed_on:%d.%m.%Y} ({self.review})"


DRAFT = "Stella-Projektteam (Entwurf)"
UNREVIEWED = "ungeprüft: vor dem Produktiveinsatz muttersprachlich und fachlich prüfen lassen"

#: The German letter (authoritative). Not a LetterText: it has more parts than the short blocks.
GERMAN = {
    "subject": "Einladung zu einem Beratungstermin",
    "salutation": "Guten Tag {name},",
    "salutation_unknown": "Guten Tag,",
    "invited": "wir laden Sie zu einem persönlichen Gespräch bei {agency} ein.",
    "label_when": "Termin",
    "when": "{weekday}, {date}, {start} bis {end} Uhr",
    "label_place": "Ort",
    "label_purpose": "Anlass",
    "label_contact": "Ansprechperson",
    "label_language": "Sprache",
    "interpreter": "Eine Dolmetscherin oder ein Dolmetscher ist bestellt.",
    "no_interpreter": "Kein Dolmetscher bestellt.",
    "bring": ("Bitte bringen Sie dieses Schreiben und Ihren Ausweis oder Ihr Aufenthaltsdokument mit, "
              "außerdem – falls vorhanden – Zeugnisse und Nachweise über Ihre Ausbildung und Arbeit."),
    "cannot_come": ("Wenn Sie den Termin nicht wahrnehmen können, sagen Sie bitte vorher ab, damit wir "
                    "einen neuen Termin mit Ihnen vereinbaren können."),
    "closing": "Mit freundlichen Grüßen",
    "translation_heading": "Übersetzung: {language} – zur Information",
    "translation_note": "Die Übersetzung dient der Information. Maßgeblich ist der deutsche Text.",
    "reference": "Termin-Nr. {id}",
    "date_line": "Datum: {date}",
    "cancelled": "ABGESAGT – Dieser Termin findet nicht statt.",
}
WEEKDAYS_DE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")

TEXTS: tuple[LetterText, ...] = (
    LetterText(
        code="ar", aliases=frozenset({"ar", "ara", "arb", "apc", "ajp", "acm", "arz"}),
        name_de="Arabisch", endonym="العربية", rtl=True,
        heading="دعوة إلى موعد",
        invited="ندعوك إلى موعد شخصي لدى {agency}.",
        when="التاريخ والوقت: {weekday}، {date}، من الساعة {start} إلى الساعة {end}",
        where="المكان: {place}",
        interpreter="سيكون مترجم حاضرا في الموعد.",
        bring="يرجى إحضار هذه الرسالة ووثيقة هويتك أو وثيقة إقامتك.",
        cannot_come="إذا لم تتمكن من الحضور، يرجى إبلاغنا قبل الموعد.",
        weekdays=("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
        translator=DRAFT, review=UNREVIEWED,
    ),
    LetterText(
        # One Persian block for Farsi (Iran) and Dari (Afghanistan): the written standard is shared;
        # the review should confirm that the wording reads naturally in Dari too.
        code="fa", aliases=frozenset({"fa", "fas", "per", "pes", "prs"}),
        name_de="Persisch (Farsi/Dari)", endonym="فارسی / دری", rtl=True,
        heading="دعوت به یک قرار ملاقات",
        invited="شما برای یک ملاقات حضوری در {agency} دعوت شده‌اید.",
        when="تاریخ و ساعت: {weekday}، {date}، از ساعت {start} تا ساعت {end}",
        where="مکان: {place}",
        interpreter="یک مترجم در این ملاقات حضور خواهد داشت.",
        bring="لطفا این نامه و مدرک هویتی یا مدرک اقامت خود را همراه بیاورید.",
        cannot_come="اگر نمی‌توانید بیایید، لطفا پیش از قرار به ما اطلاع دهید.",
        weekdays=("دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "یکشنبه"),
        translator=DRAFT, review=UNREVIEWED,
    ),
    LetterText(
        code="en", aliases=frozenset({"en", "eng"}),
        name_de="Englisch", endonym="English", rtl=False,
        heading="Invitation to an appointment",
        invited="You are invited to a personal appointment with {agency}.",
        when="Date and time: {weekday}, {date}, {start} to {end}",
        where="Place: {place}",
        interpreter="An interpreter will be present.",
        bring="Please bring this letter and your identity document or residence document.",
        cannot_come="If you cannot come, please let us know before the appointment.",
        weekdays=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        translator=DRAFT, review=UNREVIEWED,
    ),
    LetterText(
        code="ti", aliases=frozenset({"ti", "tir"}),
        name_de="Tigrinya", endonym="ትግርኛ", rtl=False,
        heading="ዕድመ ናብ ቆጸራ",
        invited="ምስ {agency} ናብ ዝግበር ውልቃዊ ቆጸራ ተዓዲምኩም ኣለኹም።",
        when="ዕለትን ሰዓትን: {weekday}፡ {date}፡ ካብ ሰዓት {start} ክሳብ ሰዓት {end}",
        where="ቦታ: {place}",
        interpreter="ኣብቲ ቆጸራ ተርጓሚ ክህሉ እዩ።",
        bring="በጃኹም ነዚ ደብዳቤን ናይ መንነት ወይ መንበሪ ሰነድኩምን ሒዝኩም ምጹ።",
        cannot_come="ክትመጹ እንተዘይክኢልኩም፡ በጃኹም ቅድሚ እቲ ቆጸራ ሓብሩና።",
        weekdays=("ሰኑይ", "ሰሉስ", "ረቡዕ", "ሓሙስ", "ዓርቢ", "ቀዳም", "ሰንበት"),
        translator=DRAFT, review=UNREVIEWED,
    ),
)

_BY_CODE = {alias: text for text in TEXTS for alias in text.aliases}


def text_for(code: str) -> LetterText | None:
    """The translation block serving an ISO 639 code (e.g. "prs" → the Persian block), or None."""
    return _BY_CODE.get((code or "").strip().lower())


__all__ = ["GERMAN", "TEXTS", "WEEKDAYS_DE", "LetterText", "text_for"]
