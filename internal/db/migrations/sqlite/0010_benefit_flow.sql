-- Candidates and their review. A candidate is one person (or child) for
-- one program and year, found by the yearly sweep (摸底) or entered as an
-- application; both give the same record, and the unique key keeps one
-- person from being a candidate twice for a program and year. The stage
-- moves through village check → village posting → township review →
-- county approval → county posting → payroll; every decision is a row in
-- benefit_reviews (who, when, what, why), never an edit.
CREATE TABLE benefit_candidates (
    id            INTEGER PRIMARY KEY,
    program       TEXT NOT NULL,
    year          INTEGER NOT NULL,
    person_id     INTEGER NOT NULL REFERENCES persons(id),
    applicant_id  INTEGER REFERENCES persons(id),
    source        TEXT NOT NULL CHECK (source IN ('sweep', 'application')),
    division_path TEXT NOT NULL,
    stage         TEXT NOT NULL,
    decision_id   INTEGER REFERENCES benefit_decisions(id),
    annual_fen    INTEGER NOT NULL DEFAULT 0,
    note          TEXT NOT NULL DEFAULT '',
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (program, year, person_id)
);
CREATE INDEX benefit_candidates_queue ON benefit_candidates(stage, division_path, program, year);

CREATE TABLE benefit_reviews (
    id           INTEGER PRIMARY KEY,
    candidate_id INTEGER NOT NULL REFERENCES benefit_candidates(id),
    stage        TEXT NOT NULL,
    action       TEXT NOT NULL CHECK (action IN ('approve', 'reject', 'return', 'recheck')),
    to_stage     TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    by_user      TEXT NOT NULL,
    by_role      TEXT NOT NULL,
    by_division  TEXT NOT NULL,
    at           TEXT NOT NULL
);
CREATE INDEX benefit_reviews_candidate ON benefit_reviews(candidate_id, id);
