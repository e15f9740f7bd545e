-- Written notices to families (approval, rejection with its reasons,
-- payment, stop). Each notice is issued once per event and never edited;
-- its verification code lets anyone holding the paper check it on the
-- public page. body holds what was printed (masked), so a reprint is
-- identical.
CREATE TABLE benefit_notices (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('approval', 'rejection', 'payment', 'stop')),
    program       TEXT NOT NULL,
    candidate_id  INTEGER NOT NULL REFERENCES benefit_candidates(id),
    cycle_id      INTEGER REFERENCES benefit_cycles(id),
    person_id     INTEGER NOT NULL REFERENCES persons(id),
    division_path TEXT NOT NULL,
    body          TEXT NOT NULL,
    verify_code   TEXT NOT NULL UNIQUE,
    issued_on     TEXT NOT NULL,
    issued_by     TEXT NOT NULL
);
-- One notice per event: an approval or rejection per candidate, a payment
-- or stop per candidate and cycle.
CREATE UNIQUE INDEX benefit_notices_once ON benefit_notices(kind, candidate_id, COALESCE(cycle_id, 0));
CREATE INDEX benefit_notices_path ON benefit_notices(division_path, program, kind);
