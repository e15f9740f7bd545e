-- Service appointments (预约服务): slots offered at a service station, on
-- the mobile service vehicle (流动服务车) or as an officer's home visits,
-- and the bookings made into them for registry persons.
--
-- booked counts the places taken (every booking that is not cancelled) and
-- is kept on the slot so that taking a place is one conditional UPDATE
-- (booked < capacity): the row lock, or SQLite's single writer, makes
-- concurrent bookings queue on it, and the CHECK below refuses an overfull
-- slot even if code ever forgot the condition. division_path is where the
-- service takes place (the station's township or county, the village the
-- vehicle or officer visits); who may see a slot follows from it. Slots and
-- bookings are cancelled, never deleted.

CREATE TABLE appointment_slots (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('station', 'vehicle', 'home')),
    division_code TEXT NOT NULL REFERENCES divisions(code),
    division_path TEXT NOT NULL,
    place         TEXT NOT NULL,
    slot_date     TEXT NOT NULL,
    start_time    TEXT NOT NULL,
    end_time      TEXT NOT NULL,
    capacity      INTEGER NOT NULL CHECK (capacity >= 1),
    booked        INTEGER NOT NULL DEFAULT 0,
    service       TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cancelled')),
    cancel_reason TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    CHECK (end_time > start_time),
    CHECK (booked >= 0 AND booked <= capacity)
);
CREATE INDEX appointment_slots_date ON appointment_slots(slot_date, division_path);
CREATE INDEX appointment_slots_path ON appointment_slots(division_path, slot_date);

-- request_key is the client's key of one booking attempt: a repeated
-- submission (a double tap, a retry after a lost answer) finds the first
-- booking by it instead of making a second. A person holds at most one
-- booking per slot that is not cancelled.
CREATE TABLE appointment_bookings (
    id            INTEGER PRIMARY KEY,
    slot_id       INTEGER NOT NULL REFERENCES appointment_slots(id),
    person_id     INTEGER NOT NULL REFERENCES persons(id),
    service       TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'cancelled', 'attended', 'no_show')),
    cancel_reason TEXT,
    request_key   TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL
);
CREATE UNIQUE INDEX appointment_bookings_key ON appointment_bookings(created_by, request_key);
CREATE UNIQUE INDEX appointment_bookings_active ON appointment_bookings(slot_id, person_id) WHERE status <> 'cancelled';
CREATE INDEX appointment_bookings_slot ON appointment_bookings(slot_id, status);
CREATE INDEX appointment_bookings_person ON appointment_bookings(person_id, status);
