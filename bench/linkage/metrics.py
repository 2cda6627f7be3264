"""Pairwise precision, recall and F1 of final clusters, and the breakdowns that say what is missed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise(predicted: Mapping[str, str], truth: Mapping[str, str]) -> dict[str, Any]:
    """Pairs within predicted clusters vs pairs within true clusters (counted, never enumerated)."""
    both = Counter((predicted[r], truth[r]) for r in truth)
    tp = sum(_pairs(n) for n in both.values())
    pred = sum(_pairs(n) for n in Counter(predicted[r] for r in truth).values())
    true = sum(_pairs(n) for n in Counter(truth.values()).values())
    precision = tp / pred if pred else 1.0
    recall = tp / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    sizes = Counter(Counter(predicted[r] for r in truth).values())
    return {"precision": precision, "recall": recall, "f1": f1, "true_positive_pairs": tp,
            "predicted_pairs": pred, "true_pairs": true, "largest_cluster": max(sizes) if sizes else 0,
            "clusters": sum(sizes.values())}


def true_pairs(truth: Mapping[str, str]) -> list[tuple[str, str]]:
    groups: dict[str, list[str]] = {}
    for rid, pid in truth.items():
        groups.setdefault(pid, []).append(rid)
    out: list[tuple[str, str]] = []
    for rids in groups.values():
        rids.sort()
        out.extend((a, b) for i, a in enumerate(rids) for b in rids[i + 1:])
    return out


def by_variation(found: Iterable[tuple[tuple[str, str], bool]],
                 variations: Mapping[str, tuple[str, ...]]) -> dict[str, dict[str, Any]]:
    """Recall of true pairs per variation label (a pair carries the labels of both its records; a pair of
    two repeated registrations of one person carries both records' labels)."""
    stats: dict[str, list[int]] = {}
    for (a, b), hit in found:
        labels = set(variations.get(a, ())) | set(variations.get(b, ()))
        for label in labels or {"(keine)"}:
            s = stats.setdefault(label, [0, 0])
            s[0] += 1
            s[1] += hit
        n = len(labels)
        s = stats.setdefault(f"#{n} Variationen", [0, 0])
        s[0] += 1
        s[1] += hit
        if n == 1:
            s = stats.setdefault(f"nur {next(iter(labels))}", [0, 0])
            s[0] += 1
            s[1] += hit
    return {k: {"pairs": v[0], "recall": v[1] / v[0]} for k, v in sorted(stats.items())}


def cluster_recall_by_variation(predicted: Mapping[str, str], truth: Mapping[str, str],
                                variations: Mapping[str, tuple[str, ...]]) -> dict[str, dict[str, Any]]:
    pairs = true_pairs(truth)
    return by_variation((((a, b), predicted[a] == predicted[b]) for a, b in pairs), variations)


def false_pairs(predicted: Mapping[str, str], truth: Mapping[str, str], kind: Mapping[str, str],
                family: Mapping[str, str], max_cluster: int = 50) -> dict[str, int]:
    """False positive pairs within predicted clusters by what the two people are: siblings, namesakes
    (one of them copies the other's name), other. Clusters above `max_cluster` records are only counted."""
    groups: dict[str, list[str]] = {}
    for rid, cid in predicted.items():
        if rid in truth:
            groups.setdefault(cid, []).append(rid)
    out: Counter[str] = Counter()
    for rids in groups.values():
        if len(rids) > max_cluster:
            out["in_giant_clusters"] += sum(1 for i, a in enumerate(rids) for b in rids[i + 1:]
                                            if truth[a] != truth[b]) if len(rids) < 3000 else _pairs(len(rids))
            continue
        for i, a in enumerate(rids):
            for b in rids[i + 1:]:
                pa, pb = truth[a], truth[b]
                if pa == pb:
                    continue
                if family.get(pa) is not None and family.get(pa) == family.get(pb):
                    out["siblings"] += 1
                elif "namesake" in (kind.get(pa), kind.get(pb)):
                    out["namesakes"] += 1
                else:
                    out["other"] += 1
    return dict(out)
