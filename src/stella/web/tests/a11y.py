"""A small static accessibility check of rendered HTML (used by the view tests).

It checks what a template can get wrong and a machine can see: the page language, exactly one h1,
a skip link to the main landmark, a label for every form control, no duplicate ids, and that
aria-describedby / label[for] point at elements that exist.
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

CONTROLS = {"input", "select", "textarea"}
UNLABELLED_INPUTS = {"hidden", "submit", "button", "reset", "image"}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.html_lang = None
        self.h1 = 0
        self.ids: list[str] = []
        self.label_for: list[str] = []
        self.controls: list[dict[str, str]] = []
        self.described: list[str] = []
        self.landmarks: Counter[str] = Counter()
        self.skip_targets: list[str] = []
        self._label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "h1":
            self.h1 += 1
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self.label_for.append(a["for"])
        if tag in {"main", "nav", "header", "footer"}:
            self.landmarks[tag] += 1
        if tag == "a" and "skip-link" in a.get("class", ""):
            self.skip_targets.append(a.get("href", "").lstrip("#"))
        if tag in CONTROLS and not (tag == "input" and a.get("type", "text") in UNLABELLED_INPUTS):
            a["_wrapped"] = "1" if self._label_depth else ""
            self.controls.append(a)
        if a.get("aria-describedby"):
            self.described.extend(a["aria-describedby"].split())

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_depth -= 1


def problems(html: str) -> list[str]:
    c = _Collector()
    c.feed(html)
    out = []
    if not c.html_lang:
        out.append("<html> has no lang attribute")
    if c.h1 != 1:
        out.append(f"{c.h1} h1 elements (expected exactly one)")
    if c.landmarks["main"] != 1:
        out.append("no single <main> landmark")
    if not c.skip_targets or any(t not in c.ids for t in c.skip_targets):
        out.append("skip link missing or pointing nowhere")
    dupes = [i for i, n in Counter(c.ids).items() if n > 1]
    if dupes:
        out.append(f"duplicate ids: {dupes}")
    ids = set(c.ids)
    for ctrl in c.controls:
        labelled = (ctrl.get("id") in c.label_for or ctrl.get("_wrapped") or ctrl.get("aria-label")
                    or ctrl.get("aria-labelledby") or ctrl.get("title"))
        if not labelled:
            out.append(f"form control without label: {ctrl.get('name') or ctrl.get('id')}")
    for ref in c.described:
        if ref not in ids:
            out.append(f"aria-describedby points to missing id {ref}")
    for ref in c.label_for:
        if ref not in ids:
            out.append(f"label for missing id {ref}")
    return out
