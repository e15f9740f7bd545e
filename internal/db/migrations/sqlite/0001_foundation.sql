-- Foundation: settings, divisions, users and sessions, the audit journal,
-- households and persons.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Divisions from province down to 村民小组. path is the materialised path of
-- codes, '/34/3415/341523/341523100/341523100201/', ending with '/' so that a
-- prefix never matches a sibling whose code starts the same way.
CREATE TABLE divisions (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 6),
    parent_code TEXT REFERENCES divisions(code),
    path        TEXT NOT NULL UNIQUE,
    urban_rural TEXT,
    source      TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    valid_to    TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX divisions_parent ON divisions(parent_code, code);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    role                 TEXT NOT NULL,
    division_code        TEXT NOT NULL REFERENCES divisions(code),
    division_path        TEXT NOT NULL,
    status               TEXT NOT NULL DEFAULT 'active',
    must_change_password INTEGER NOT NULL DEFAULT 0,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         TEXT,
    last_login_at        TEXT,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX users_division ON users(division_path);

-- Sessions are stored by the SHA-256 of their token, so a copy of this table
-- cannot be replayed as cookies.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

-- The audit journal is append-only and hash-chained: hash = HMAC(key, prev_hash ‖ entry).
-- audit_head holds the newest seq and hash; updating it inside each writing
-- transaction serialises appenders and lets verification notice a cut tail.
CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    user_id       INTEGER,
    username      TEXT NOT NULL,
    role          TEXT NOT NULL,
    division_code TEXT NOT NULL,
    division_path TEXT NOT NULL,
    action        TEXT NOT NULL,
    entity        TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    before_json   TEXT,
    after_json    TEXT,
    remark        TEXT NOT NULL DEFAULT '',
    ip            TEXT NOT NULL DEFAULT '',
    request_id    TEXT NOT NULL DEFAULT '',
    alg           TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX audit_user ON audit_log(username, seq);
CREATE INDEX audit_entity ON audit_log(entity, entity_id, seq);
CREATE INDEX audit_at ON audit_log(at);
CREATE INDEX audit_path ON audit_log(division_path, seq);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE TABLE households (
    id            INTEGER PRIMARY KEY,
    hh_no         TEXT NOT NULL UNIQUE,
    division_code TEXT NOT NULL REFERENCES divisions(code),
    division_path TEXT NOT NULL,
    address       TEXT NOT NULL DEFAULT '',
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL
);
CREATE INDEX households_path ON households(division_path, hh_no);

-- Sensitive values are stored encrypted (id_enc, phone_enc) with a masked
-- copy for lists; id_bidx is a keyed blind index for exact lookup by ID.
CREATE TABLE persons (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    sex            TEXT NOT NULL CHECK (sex IN ('male', 'female')),
    birth_date     TEXT,
    id_enc         BLOB,
    id_bidx        TEXT,
    id_mask        TEXT,
    phone_enc      BLOB,
    phone_mask     TEXT,
    ethnicity      TEXT,
    hukou_type     TEXT,
    marital_status TEXT,
    reg_division   TEXT NOT NULL REFERENCES divisions(code),
    reg_path       TEXT NOT NULL,
    res_division   TEXT NOT NULL REFERENCES divisions(code),
    res_path       TEXT NOT NULL,
    household_id   INTEGER REFERENCES households(id),
    relation       TEXT,
    mother_id      INTEGER REFERENCES persons(id),
    father_id      INTEGER REFERENCES persons(id),
    status         TEXT NOT NULL DEFAULT 'alive',
    death_date     TEXT,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL
);
CREATE INDEX persons_reg ON persons(reg_path, name);
-- reg_path makes "lives here, registered elsewhere" checks index-only.
CREATE INDEX persons_res ON persons(res_path, name, reg_path);
-- Covering for name-prefix searches: the scope check needs no table lookup.
CREATE INDEX persons_name ON persons(name, reg_path, res_path);
CREATE INDEX persons_bidx ON persons(id_bidx);
CREATE INDEX persons_household ON persons(household_id);
CREATE INDEX persons_mother ON persons(mother_id, birth_date);
CREATE INDEX persons_father ON persons(father_id);

-- Exact counts for list totals and the home page, kept by triggers in the
-- same transaction as every change to persons or households, whatever code
-- (or manual SQL) makes it. Counting a county's million persons from their
-- index takes a tenth of a second; summing a few thousand rows does not.
--
-- person_counts counts persons by registered division (and by sex, status
-- and whether they live elsewhere). person_away counts persons who live
-- elsewhere by residence and by the lowest common ancestor (lca) of their
-- registered and residence divisions: an area T holds such a person's
-- residence but not their registration exactly when T contains the
-- residence and lies strictly below the lca. Keying by the pair of
-- divisions instead would give one row per pair of villages.
--
-- The lca is the longest equal prefix at a level boundary; paths have
-- fixed lengths per level (4 province, 9 city, 16 county, 26 township,
-- 39 village, 55 group), since codes have fixed lengths.
CREATE TABLE person_counts (
    reg_path TEXT NOT NULL,
    sex      TEXT NOT NULL,
    status   TEXT NOT NULL,
    away     INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (reg_path, sex, status, away)
);

CREATE TABLE person_away (
    res_path TEXT NOT NULL,
    lca_path TEXT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (res_path, lca_path)
);

CREATE TRIGGER persons_count_insert AFTER INSERT ON persons BEGIN
    INSERT INTO person_counts (reg_path, sex, status, away, n)
    VALUES (NEW.reg_path, NEW.sex, NEW.status, NEW.reg_path <> NEW.res_path, 1)
    ON CONFLICT (reg_path, sex, status, away) DO UPDATE SET n = n + 1;
    INSERT INTO person_away (res_path, lca_path, n)
    SELECT NEW.res_path, CASE
        WHEN substr(NEW.reg_path, 1, 39) = substr(NEW.res_path, 1, 39) THEN substr(NEW.reg_path, 1, 39)
        WHEN substr(NEW.reg_path, 1, 26) = substr(NEW.res_path, 1, 26) THEN substr(NEW.reg_path, 1, 26)
        WHEN substr(NEW.reg_path, 1, 16) = substr(NEW.res_path, 1, 16) THEN substr(NEW.reg_path, 1, 16)
        WHEN substr(NEW.reg_path, 1, 9) = substr(NEW.res_path, 1, 9) THEN substr(NEW.reg_path, 1, 9)
        WHEN substr(NEW.reg_path, 1, 4) = substr(NEW.res_path, 1, 4) THEN substr(NEW.reg_path, 1, 4)
        ELSE '/' END, 1 WHERE NEW.reg_path <> NEW.res_path
    ON CONFLICT (res_path, lca_path) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER persons_count_delete AFTER DELETE ON persons BEGIN
    UPDATE person_counts SET n = n - 1 WHERE reg_path = OLD.reg_path AND sex = OLD.sex AND status = OLD.status
        AND away = (OLD.reg_path <> OLD.res_path);
    UPDATE person_away SET n = n - 1 WHERE OLD.reg_path <> OLD.res_path AND res_path = OLD.res_path
        AND lca_path = CASE
        WHEN substr(OLD.reg_path, 1, 39) = substr(OLD.res_path, 1, 39) THEN substr(OLD.reg_path, 1, 39)
        WHEN substr(OLD.reg_path, 1, 26) = substr(OLD.res_path, 1, 26) THEN substr(OLD.reg_path, 1, 26)
        WHEN substr(OLD.reg_path, 1, 16) = substr(OLD.res_path, 1, 16) THEN substr(OLD.reg_path, 1, 16)
        WHEN substr(OLD.reg_path, 1, 9) = substr(OLD.res_path, 1, 9) THEN substr(OLD.reg_path, 1, 9)
        WHEN substr(OLD.reg_path, 1, 4) = substr(OLD.res_path, 1, 4) THEN substr(OLD.reg_path, 1, 4)
        ELSE '/' END;
END;

CREATE TRIGGER persons_count_update AFTER UPDATE OF reg_path, res_path, sex, status ON persons
WHEN OLD.reg_path <> NEW.reg_path OR OLD.res_path <> NEW.res_path OR OLD.sex <> NEW.sex OR OLD.status <> NEW.status
BEGIN
    UPDATE person_counts SET n = n - 1 WHERE reg_path = OLD.reg_path AND sex = OLD.sex AND status = OLD.status
        AND away = (OLD.reg_path <> OLD.res_path);
    UPDATE person_away SET n = n - 1 WHERE OLD.reg_path <> OLD.res_path AND res_path = OLD.res_path
        AND lca_path = CASE
        WHEN substr(OLD.reg_path, 1, 39) = substr(OLD.res_path, 1, 39) THEN substr(OLD.reg_path, 1, 39)
        WHEN substr(OLD.reg_path, 1, 26) = substr(OLD.res_path, 1, 26) THEN substr(OLD.reg_path, 1, 26)
        WHEN substr(OLD.reg_path, 1, 16) = substr(OLD.res_path, 1, 16) THEN substr(OLD.reg_path, 1, 16)
        WHEN substr(OLD.reg_path, 1, 9) = substr(OLD.res_path, 1, 9) THEN substr(OLD.reg_path, 1, 9)
        WHEN substr(OLD.reg_path, 1, 4) = substr(OLD.res_path, 1, 4) THEN substr(OLD.reg_path, 1, 4)
        ELSE '/' END;
    INSERT INTO person_counts (reg_path, sex, status, away, n)
    VALUES (NEW.reg_path, NEW.sex, NEW.status, NEW.reg_path <> NEW.res_path, 1)
    ON CONFLICT (reg_path, sex, status, away) DO UPDATE SET n = n + 1;
    INSERT INTO person_away (res_path, lca_path, n)
    SELECT NEW.res_path, CASE
        WHEN substr(NEW.reg_path, 1, 39) = substr(NEW.res_path, 1, 39) THEN substr(NEW.reg_path, 1, 39)
        WHEN substr(NEW.reg_path, 1, 26) = substr(NEW.res_path, 1, 26) THEN substr(NEW.reg_path, 1, 26)
        WHEN substr(NEW.reg_path, 1, 16) = substr(NEW.res_path, 1, 16) THEN substr(NEW.reg_path, 1, 16)
        WHEN substr(NEW.reg_path, 1, 9) = substr(NEW.res_path, 1, 9) THEN substr(NEW.reg_path, 1, 9)
        WHEN substr(NEW.reg_path, 1, 4) = substr(NEW.res_path, 1, 4) THEN substr(NEW.reg_path, 1, 4)
        ELSE '/' END, 1 WHERE NEW.reg_path <> NEW.res_path
    ON CONFLICT (res_path, lca_path) DO UPDATE SET n = n + 1;
END;

CREATE TABLE household_counts (
    path TEXT PRIMARY KEY,
    n    INTEGER NOT NULL
);

CREATE TRIGGER households_count_insert AFTER INSERT ON households BEGIN
    INSERT INTO household_counts (path, n) VALUES (NEW.division_path, 1)
    ON CONFLICT (path) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER households_count_delete AFTER DELETE ON households BEGIN
    UPDATE household_counts SET n = n - 1 WHERE path = OLD.division_path;
END;

CREATE TRIGGER households_count_update AFTER UPDATE OF division_path ON households
WHEN OLD.division_path <> NEW.division_path
BEGIN
    UPDATE household_counts SET n = n - 1 WHERE path = OLD.division_path;
    INSERT INTO household_counts (path, n) VALUES (NEW.division_path, 1)
    ON CONFLICT (path) DO UPDATE SET n = n + 1;
END;
