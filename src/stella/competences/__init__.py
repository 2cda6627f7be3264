"""Competence profiles: school education, qualifications and their recognition, work experience coded in
KldB 2010, skills and driving licences, languages with CEFR levels per skill, and the person's
circumstances that matching must respect (childcare, women-only, part-time, mobility)."""
