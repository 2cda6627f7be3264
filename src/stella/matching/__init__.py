"""Explainable matching of persons and offers (hard rules + a versioned score) and optimal,
capacity-constrained allocation of seats (OR-Tools min-cost flow) with review and a fairness report."""
