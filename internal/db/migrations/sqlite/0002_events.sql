-- Life events: dated records that change a person's current state in the
-- same transaction and stay as history. A wrong event is never deleted or
-- edited: a correcting event names it in corrects_id and takes its place
-- when the person's state is replayed.

ALTER TABLE persons ADD COLUMN spouse_id INTEGER REFERENCES persons(id);
ALTER TABLE persons ADD COLUMN away_place TEXT;
ALTER TABLE persons ADD COLUMN away_since TEXT;

CREATE TABLE person_events (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES persons(id),
    kind          TEXT NOT NULL,
    event_date    TEXT NOT NULL,
    details       TEXT NOT NULL DEFAULT '{}',
    corrects_id   INTEGER REFERENCES person_events(id),
    division_path TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL
);
CREATE INDEX person_events_person ON person_events(person_id, event_date);
CREATE INDEX person_events_corrects ON person_events(corrects_id);
CREATE INDEX person_events_path ON person_events(division_path, event_date);

-- A marriage or divorce changes two persons: related_id is the other one (the
-- registered spouse), so replaying either person's history finds the event.
ALTER TABLE person_events ADD COLUMN related_id INTEGER REFERENCES persons(id);
CREATE INDEX person_events_related ON person_events(related_id) WHERE related_id IS NOT NULL;

-- An event is corrected once; a second correction corrects the first.
CREATE UNIQUE INDEX person_events_corrected_once ON person_events(corrects_id) WHERE corrects_id IS NOT NULL;

-- A spouse outside the registry is known by name only.
ALTER TABLE persons ADD COLUMN spouse_name TEXT;
-- Adoptive parents (收养) beside the birth parents, which stay as they are.
ALTER TABLE persons ADD COLUMN adoptive_mother_id INTEGER REFERENCES persons(id);
ALTER TABLE persons ADD COLUMN adoptive_father_id INTEGER REFERENCES persons(id);

-- The state a person had before their first event (JSON: status, marital
-- status, spouse, divisions, …), captured once, when that event is written.
-- Replaying the effective events on top of it gives the current state, so a
-- correction of any event, however old, recomputes what followed from it.
-- Persons without events (a million imported ones) have no row here.
CREATE TABLE person_event_base (
    person_id   INTEGER PRIMARY KEY REFERENCES persons(id),
    state       TEXT NOT NULL,
    captured_at TEXT NOT NULL
);

-- The replayed history of persons with events, as periods of constant
-- state: [from_date, to_date), to_date NULL for the current period. "As of"
-- counts take these for persons who have them, and the persons row (counted
-- from the birth date, until a recorded death date) for everyone else.
CREATE TABLE person_spans (
    person_id INTEGER NOT NULL REFERENCES persons(id),
    from_date TEXT NOT NULL,
    to_date   TEXT,
    status    TEXT NOT NULL,
    sex       TEXT NOT NULL,
    reg_path  TEXT NOT NULL,
    res_path  TEXT NOT NULL,
    away      INTEGER NOT NULL,
    PRIMARY KEY (person_id, from_date)
);
CREATE INDEX person_spans_reg ON person_spans(reg_path, from_date);
CREATE INDEX person_spans_res ON person_spans(res_path, from_date);

-- 人户分离 lists: only persons whose residence differs from their
-- registration, or who live outside the county, enter these indexes, so a
-- village's lists are short index walks and bulk imports pay for few rows.
-- Queries repeat the WHERE clause verbatim so both engines can use them.
CREATE INDEX persons_sep_reg ON persons(reg_path, name, res_path) WHERE reg_path <> res_path OR away_place IS NOT NULL;
CREATE INDEX persons_sep_res ON persons(res_path, name, reg_path) WHERE reg_path <> res_path OR away_place IS NOT NULL;
