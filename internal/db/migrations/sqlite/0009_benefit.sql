-- Benefits for families (利益导向): parameter layers, attested facts and
-- eligibility decisions. The rules are code (internal/benefit); their
-- amounts, ages and dates are parameters with an effective date and a legal
-- basis. The national values ship with the code; a province or a county
-- adds a layer here (scope = its division code) to top up an amount or widen
-- a criterion. A version is never edited in place once it has been used:
-- a change is a new row from a later date.
CREATE TABLE benefit_params (
    id          INTEGER PRIMARY KEY,
    program     TEXT NOT NULL,
    key         TEXT NOT NULL,
    scope       TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    value       TEXT NOT NULL,
    basis       TEXT NOT NULL,
    set_by      TEXT NOT NULL,
    set_at      TEXT NOT NULL,
    UNIQUE (program, key, scope, valid_from)
);

-- Facts an officer attested that the registry does not hold: the 1973–2001
-- policy record, a disability certificate's level, a surgery-complication
-- level, the only-child parents' certificate. Append-only: the latest row
-- of a person and key is in force; earlier rows stay as history.
CREATE TABLE benefit_facts (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES persons(id),
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    evidence    TEXT NOT NULL DEFAULT '',
    attested_by TEXT NOT NULL,
    attested_at TEXT NOT NULL
);
CREATE INDEX benefit_facts_person ON benefit_facts(person_id, key, id);

-- Every decision the rules made, with the reasons (each criterion, the
-- values used, passed or not) and the parameter versions read, so that it
-- can be reproduced and explained. division_path is the person's
-- registered village, for scope.
CREATE TABLE benefit_decisions (
    id            INTEGER PRIMARY KEY,
    program       TEXT NOT NULL,
    person_id     INTEGER NOT NULL REFERENCES persons(id),
    as_of         TEXT NOT NULL,
    eligible      INTEGER NOT NULL,
    subtype       TEXT,
    monthly_fen   INTEGER NOT NULL DEFAULT 0,
    annual_fen    INTEGER NOT NULL DEFAULT 0,
    reasons       TEXT NOT NULL,
    params        TEXT NOT NULL,
    param_version TEXT NOT NULL,
    division_path TEXT NOT NULL,
    decided_by    TEXT NOT NULL,
    decided_at    TEXT NOT NULL
);
CREATE INDEX benefit_decisions_person ON benefit_decisions(person_id, program, id);
CREATE INDEX benefit_decisions_path ON benefit_decisions(division_path, program, as_of);
