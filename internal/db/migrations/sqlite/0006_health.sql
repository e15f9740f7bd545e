-- Health services (计划生育技术服务 and maternal health). Programs are
-- declared in Go (internal/health/programs.go); these tables hold what was
-- done. Every service is chosen by the person; nothing here is a target.
--
-- A case is one service episode of one person (and a partner for a
-- couple's service): a birth registration, a pre-pregnancy check, a
-- pregnancy, a procedure with its follow-ups, a screening. division_path
-- is the village that serves the person (where they live), so a village
-- officer's work list is a range scan of paths. The coded values that
-- figures count (stage, procedure type, result, diagnosis) are kept in the
-- clear so that statistics run in SQL; every free-text detail and every
-- measured value is encrypted (details_enc), since health records are
-- sensitive personal information (PIPL art. 28).
CREATE TABLE health_cases (
    id            INTEGER PRIMARY KEY,
    program       TEXT NOT NULL,
    person_id     INTEGER NOT NULL REFERENCES persons(id),
    partner_id    INTEGER REFERENCES persons(id),
    division_code TEXT NOT NULL REFERENCES divisions(code),
    division_path TEXT NOT NULL,
    stage         TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    subtype       TEXT,
    opened_on     TEXT NOT NULL,
    closed_on     TEXT,
    reg_no        TEXT UNIQUE,
    request_key   TEXT UNIQUE,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL
);
CREATE INDEX health_cases_path ON health_cases(division_path, program, status);
CREATE INDEX health_cases_person ON health_cases(person_id, program);
CREATE INDEX health_cases_program ON health_cases(program, opened_on);

-- Steps are append-only: each records a stage reached, with its date, the
-- coded outcome figures count (code) and the encrypted details. Reopening
-- and closing a case are steps too, so the history says who and why.
CREATE TABLE health_steps (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES health_cases(id),
    stage        TEXT NOT NULL,
    step_date    TEXT NOT NULL,
    code         TEXT,
    details_enc  BLOB,
    request_key  TEXT UNIQUE,
    recorded_by  TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX health_steps_case ON health_steps(case_id, id);
CREATE INDEX health_steps_stage ON health_steps(stage, step_date);

-- Scheduled visits and due steps. due_on is the date the program rule
-- gave and never changes, so timeliness is measured against it; planned_on
-- is where rescheduling moves it. "Overdue" is not stored: it is an open
-- visit whose planned date has passed. A visit the case no longer needs
-- (a pregnancy ended before it) lapses, with the date and the stage that
-- made it lapse, so that reopening a closed case brings back the visits
-- its closing ended.
CREATE TABLE health_visits (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES health_cases(id),
    person_id     INTEGER NOT NULL REFERENCES persons(id),
    program       TEXT NOT NULL,
    kind          TEXT NOT NULL,
    seq           INTEGER NOT NULL DEFAULT 1,
    division_path TEXT NOT NULL,
    due_on        TEXT NOT NULL,
    window_days   INTEGER NOT NULL DEFAULT 0,
    planned_on    TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'lapsed')),
    done_on       TEXT,
    method        TEXT,
    lapsed_on     TEXT,
    lapsed_by     TEXT,
    assigned_to   TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (case_id, kind, seq)
);
-- The work list: open visits by planned date, with the path in the index
-- so that a page walks the dates in order and stops after its rows, and
-- the bucket counts of an area read the index alone.
CREATE INDEX health_visits_work ON health_visits(planned_on, division_path) WHERE status = 'open';
CREATE INDEX health_visits_due ON health_visits(due_on, division_path);
CREATE INDEX health_visits_case ON health_visits(case_id);

-- Every contact attempt on a visit, reached or not, append-only.
CREATE TABLE health_contacts (
    id           INTEGER PRIMARY KEY,
    visit_id     INTEGER NOT NULL REFERENCES health_visits(id),
    case_id      INTEGER NOT NULL REFERENCES health_cases(id),
    contact_date TEXT NOT NULL,
    method       TEXT NOT NULL CHECK (method IN ('home', 'phone', 'not_reached')),
    reason       TEXT,
    details_enc  BLOB,
    request_key  TEXT UNIQUE,
    recorded_by  TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX health_contacts_visit ON health_contacts(visit_id, id);

-- Annual task numbers (任务数) a county is given for a program, e.g. the
-- pre-pregnancy checks; reports show completion against them. This is a
-- service volume the state funds, not a target imposed on anybody.
CREATE TABLE health_tasks (
    division_code TEXT NOT NULL REFERENCES divisions(code),
    year          INTEGER NOT NULL,
    program       TEXT NOT NULL,
    number        INTEGER NOT NULL CHECK (number >= 0),
    version       INTEGER NOT NULL DEFAULT 1,
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    PRIMARY KEY (division_code, year, program)
);

-- Numbers of birth registration records, one sequence per county and year.
CREATE TABLE health_counters (
    scope TEXT PRIMARY KEY,
    last  INTEGER NOT NULL
);

-- Service cards (一卡通): a card number that finds a person's service
-- record at any station of the county. One active card per person; a lost
-- card is revoked and a new one issued, so old numbers never come back.
CREATE TABLE service_cards (
    card_no       TEXT PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES persons(id),
    division_path TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    issued_on     TEXT NOT NULL,
    revoked_on    TEXT,
    revoke_reason TEXT,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX service_cards_active ON service_cards(person_id) WHERE status = 'active';
