"""Offers (courses, measures, training places, vacancies) with seats and requirements; enrolments with
waiting list, attendance and results; placements into training or work with their outcomes."""
