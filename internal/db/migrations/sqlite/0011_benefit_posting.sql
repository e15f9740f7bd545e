-- Public postings (公示). A posting is a snapshot of the candidates at a
-- posting stage of one village (or county), taken when it opens: the
-- entries carry the masked name and ID number and the amount as the
-- public saw them, and never change. Approval waits until the objection
-- window has closed with no objection open; an upheld objection
-- supersedes the posting, and the list is posted again as a new version.
CREATE TABLE benefit_postings (
    id             INTEGER PRIMARY KEY,
    program        TEXT NOT NULL,
    year           INTEGER NOT NULL,
    level          TEXT NOT NULL CHECK (level IN ('village', 'county')),
    division_code  TEXT NOT NULL REFERENCES divisions(code),
    division_path  TEXT NOT NULL,
    list_version   INTEGER NOT NULL,
    starts_on      TEXT NOT NULL,
    ends_on        TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('open', 'closed', 'superseded')),
    public_code    TEXT NOT NULL UNIQUE,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    closed_at      TEXT,
    UNIQUE (program, year, level, division_code, list_version)
);
CREATE INDEX benefit_postings_path ON benefit_postings(division_path, program, year);

CREATE TABLE benefit_posting_entries (
    posting_id   INTEGER NOT NULL REFERENCES benefit_postings(id),
    candidate_id INTEGER NOT NULL REFERENCES benefit_candidates(id),
    seq          INTEGER NOT NULL,
    name_masked  TEXT NOT NULL,
    id_masked    TEXT NOT NULL,
    village      TEXT NOT NULL,
    subtype      TEXT,
    annual_fen   INTEGER NOT NULL,
    PRIMARY KEY (posting_id, candidate_id)
);

-- Objections are tickets: who raised them (or anonymous), how, about which
-- entry, and how they were resolved.
CREATE TABLE benefit_objections (
    id            INTEGER PRIMARY KEY,
    posting_id    INTEGER NOT NULL REFERENCES benefit_postings(id),
    candidate_id  INTEGER REFERENCES benefit_candidates(id),
    channel       TEXT NOT NULL CHECK (channel IN ('phone', 'letter', 'visit', 'online', 'other')),
    anonymous     INTEGER NOT NULL DEFAULT 0,
    objector      TEXT NOT NULL DEFAULT '',
    content       TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'dismissed')),
    resolution    TEXT NOT NULL DEFAULT '',
    resolved_by   TEXT,
    resolved_at   TEXT,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX benefit_objections_posting ON benefit_objections(posting_id, status);
