-- Floating-population services (流动人口服务): a register of our residents
-- living in another county (direction 'out') and of people from elsewhere
-- living in one of our villages ('in'), and dated contact records. This is a
-- service register only: the 2021 law removed the floating-population
-- marriage-and-birth certificate and every control built on it.
--
-- An 'out' entry takes name, sex, birth date and ID number from its person
-- (person_id); an 'in' entry keeps its own, since the person is usually not
-- in our registry, and may link to a person who is. ID and phone numbers are
-- encrypted with the same field names as persons, so blind indexes match
-- across both tables. division_path is the responsible village: the
-- registered village of an 'out' person, the residence village of an 'in'
-- entry. Entries are ended, never deleted.

CREATE TABLE floating_entries (
    id            INTEGER PRIMARY KEY,
    direction     TEXT NOT NULL CHECK (direction IN ('out', 'in')),
    person_id     INTEGER REFERENCES persons(id),
    name          TEXT,
    sex           TEXT CHECK (sex IN ('male', 'female')),
    birth_date    TEXT,
    id_enc        BLOB,
    id_bidx       TEXT,
    id_mask       TEXT,
    phone_enc     BLOB,
    phone_mask    TEXT,
    place         TEXT NOT NULL DEFAULT '',
    other_county  TEXT,
    division_code TEXT NOT NULL REFERENCES divisions(code),
    division_path TEXT NOT NULL,
    since         TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
    ended_on      TEXT,
    end_reason    TEXT,
    note          TEXT NOT NULL DEFAULT '',
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    CHECK (direction = 'in' OR person_id IS NOT NULL),
    CHECK (direction = 'out' OR (name IS NOT NULL AND sex IS NOT NULL AND birth_date IS NOT NULL))
);
CREATE INDEX floating_path ON floating_entries(division_path, direction, status);
CREATE INDEX floating_county ON floating_entries(other_county, direction);
CREATE INDEX floating_person ON floating_entries(person_id);
CREATE INDEX floating_bidx ON floating_entries(id_bidx);
-- One active entry per person and direction: a second registration of the
-- same move would split its contact history.
CREATE UNIQUE INDEX floating_out_active ON floating_entries(person_id) WHERE direction = 'out' AND status = 'active';
CREATE UNIQUE INDEX floating_in_active ON floating_entries(id_bidx) WHERE direction = 'in' AND status = 'active';

-- Contact records are append-only: a wrong record is corrected by a new one
-- that names it in corrects_id.
CREATE TABLE floating_contacts (
    id             INTEGER PRIMARY KEY,
    entry_id       INTEGER NOT NULL REFERENCES floating_entries(id),
    contact_date   TEXT NOT NULL,
    method         TEXT NOT NULL CHECK (method IN ('visit', 'phone', 'wechat', 'sms', 'other')),
    content        TEXT NOT NULL,
    services       TEXT NOT NULL DEFAULT '[]',
    next_follow_up TEXT,
    corrects_id    INTEGER REFERENCES floating_contacts(id),
    division_path  TEXT NOT NULL,
    recorded_by    TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX floating_contacts_entry ON floating_contacts(entry_id, contact_date);
CREATE UNIQUE INDEX floating_contacts_corrects ON floating_contacts(corrects_id);
