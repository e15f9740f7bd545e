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
