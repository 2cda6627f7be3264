"""Merging duplicate persons over the API: the side-by-side preview with conflicts, the merge with the
caseworker's choices (stale versions → 409), undoing a merge, and a person's merge history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from stella.api.auth import actor
from stella.api.errors import PROBLEM_CONTENT_TYPE
from stella.api.schemas import Strict
from stella.linkage import merge as svc
from stella.linkage.models import Merge

router = Router(tags=["Zusammenführung"])
persons_router = Router(tags=["Zusammenführung"])

_CONFLICT = {"responses": {409: {"description": "Bearbeitungskonflikt (veraltete Version oder spätere Änderung)",
                                 "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}}}


class PreviewQuery(Schema):
    survivor: int = Field(description="bleibende Person (ID)")
    absorbed: int = Field(description="aufzunehmende Person (ID)")


class ValueOut(Schema):
    value: list[Any] = Field(description="Rohwert(e); beim Geburtsdatum [Datum, Genauigkeit]")
    display: str
    source: str = Field(description="woher der Wert stammt (Erfassung, Behörde, Datum)")


class ConflictOut(Schema):
    field: str
    label: str
    readable: bool = Field(description="false: Sie dürfen die Werte nicht sehen")
    survivor: ValueOut | None
    absorbed: ValueOut | None


class SideOut(Schema):
    person_id: int
    version: int
    merged_into: int | None
    identity: dict[str, Any] = Field(description="Grunddaten (wie in der Suche)")
    sections: dict[str, dict[str, Any]] = Field(description="lesbare Bereiche (identity, residence, competences)")
    refusals: dict[str, str] = Field(description="nicht lesbare Bereiche mit Grund")


class MoveCountOut(Schema):
    key: str
    label: str
    category: str
    readable: bool
    survivor: int | None
    absorbed: int | None = Field(description="so viele Datensätze würden übernommen; null: kein Zugriff")


class PreviewOut(Schema):
    survivor: SideOut
    absorbed: SideOut
    conflicts: list[ConflictOut]
    moves: list[MoveCountOut]
    blocking: list[str] = Field(description="Datensätze, die vorher geklärt werden müssen")
    problems: list[str]
    may_merge: bool
    refusal: str = Field(description="warum Sie nicht zusammenführen dürfen (leer: Sie dürfen)")


class MergeIn(Strict):
    survivor: int
    absorbed: int
    resolution: dict[str, str] = Field(default_factory=dict,
                                       description="je widersprüchlichem Feld: „survivor“ oder „absorbed“")
    reason: str = Field(min_length=1, max_length=2000)
    candidate: int | None = Field(default=None, description="Prüffall der Prüfliste")
    versions: tuple[int, int] | None = Field(default=None,
                                             description="Versionen [bleibende, aufzunehmende] beim Vergleich")


class UndoIn(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class MergeOut(Schema):
    id: int
    survivor: int
    absorbed: int
    resolution: dict[str, Any]
    reason: str
    candidate: int | None
    automatic: bool
    agency: str | None
    merged_by: str | None
    merged_at: datetime
    undone_by: str | None
    undone_at: datetime | None
    undo_reason: str
    moved: dict[str, int] = Field(description="übernommene Datensätze je Art")


def merge_dict(merge: Merge) -> dict[str, Any]:
    return {
        "id": merge.pk, "survivor": merge.survivor_id, "absorbed": merge.absorbed_id, "resolution": merge.resolution,
        "reason": merge.reason, "candidate": merge.candidate_id, "automatic": merge.automatic,
        "agency": merge.agency.code if merge.agency else None,
        "merged_by": merge.merged_by.get_username() if merge.merged_by else None, "merged_at": merge.merged_at,
        "undone_by": merge.undone_by.get_username() if merge.undone_by else None, "undone_at": merge.undone_at,
        "undo_reason": merge.undo_reason, "moved": svc.move_counts(merge),
    }


@router.get("/preview", response=PreviewOut, summary="Zusammenführung vorbereiten")
def preview(request: HttpRequest, query: Query[PreviewQuery]) -> Any:
    """Both persons side by side as far as you may read them, the conflicting fields with both values and
    their source, and how many rows of each kind would move. Audited as a read of both files."""
    return svc.merge_preview(actor=actor(request), survivor_id=query.survivor, absorbed_id=query.absorbed)


@router.post("", response={201: MergeOut}, summary="Personen zusammenführen", openapi_extra=_CONFLICT)
def create(request: HttpRequest, response: HttpResponse, payload: MergeIn) -> Any:
    """Merge `absorbed` into `survivor`. Every conflicting field needs a choice; with `versions` from the
    preview, a change in between answers 409 and nothing is merged. Needs write access to the identity of
    both persons (403 names the lead agency of the other file)."""
    merge = svc.merge_persons(actor=actor(request), survivor_id=payload.survivor, absorbed_id=payload.absorbed,
                              resolution=payload.resolution, reason=payload.reason, candidate_id=payload.candidate,
                              versions=payload.versions)
    response["Location"] = reverse("api:get_merge", kwargs={"merge_id": merge.pk})
    return Status(201, merge_dict(Merge.objects.select_related("agency", "merged_by").get(pk=merge.pk)))


@router.get("/{int:merge_id}", response=MergeOut, summary="Zusammenführung", url_name="get_merge")
def get_merge(request: HttpRequest, merge_id: int) -> Any:
    """One merge with what it moved (for whoever may find the surviving person)."""
    return merge_dict(svc.merge_detail(actor=actor(request), merge_id=merge_id))


@router.post("/{int:merge_id}/undo", response=MergeOut, summary="Zusammenführung aufheben",
             openapi_extra=_CONFLICT)
def undo(request: HttpRequest, merge_id: int, payload: UndoIn) -> Any:
    """Move every row back and restore both persons. 409 if a later merge must be undone first or a field the
    merge decided was edited since; rows added after the merge stay with the surviving person."""
    merge = svc.unmerge(actor=actor(request), merge_id=merge_id, reason=payload.reason)
    return merge_dict(Merge.objects.select_related("agency", "merged_by", "undone_by").get(pk=merge.pk))


@persons_router.get("/{int:person_id}/merges", response=list[MergeOut], summary="Zusammenführungen einer Person")
def person_merges(request: HttpRequest, person_id: int) -> Any:
    """Every merge the person took part in (as surviving or absorbed record), undone ones included."""
    return [merge_dict(x) for x in svc.merge_history(actor=actor(request), person_id=person_id)]
