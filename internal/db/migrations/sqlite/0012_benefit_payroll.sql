-- Payment. A person's bank or social-security card account is encrypted
-- and masked like an ID number; the latest row is in force and earlier
-- ones stay as history. A payroll cycle is one program, one period and one
-- county, generated once (the unique key makes a second generation return
-- the first); each line keeps the account as it was at generation, the
-- months paid and the rule trace, and later the bank's answer. A failed
-- line is carried into the next cycle, never edited into success.
CREATE TABLE benefit_accounts (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES persons(id),
    bank         TEXT NOT NULL,
    account_name TEXT NOT NULL,
    account_enc  BLOB NOT NULL,
    account_mask TEXT NOT NULL,
    set_by       TEXT NOT NULL,
    set_at       TEXT NOT NULL
);
CREATE INDEX benefit_accounts_person ON benefit_accounts(person_id, id);

CREATE TABLE benefit_cycles (
    id            INTEGER PRIMARY KEY,
    program       TEXT NOT NULL,
    period        TEXT NOT NULL,
    period_from   TEXT NOT NULL,
    period_to     TEXT NOT NULL,
    division_code TEXT NOT NULL REFERENCES divisions(code),
    division_path TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'generated' CHECK (status IN ('generated', 'sent', 'reconciled')),
    line_count    INTEGER NOT NULL,
    total_fen     INTEGER NOT NULL,
    flags         TEXT NOT NULL DEFAULT '[]',
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (program, period, division_code)
);

CREATE TABLE benefit_payroll_lines (
    id            INTEGER PRIMARY KEY,
    cycle_id      INTEGER NOT NULL REFERENCES benefit_cycles(id),
    seq           INTEGER NOT NULL,
    candidate_id  INTEGER NOT NULL REFERENCES benefit_candidates(id),
    payee_id      INTEGER NOT NULL REFERENCES persons(id),
    account_enc   BLOB NOT NULL,
    account_mask  TEXT NOT NULL,
    account_name  TEXT NOT NULL,
    bank          TEXT NOT NULL,
    months        INTEGER NOT NULL,
    amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0),
    trace         TEXT NOT NULL,
    carried_from  INTEGER REFERENCES benefit_payroll_lines(id),
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'failed', 'carried')),
    bank_code     TEXT,
    bank_message  TEXT,
    division_path TEXT NOT NULL,
    UNIQUE (cycle_id, seq),
    UNIQUE (cycle_id, candidate_id)
);
CREATE INDEX benefit_lines_failed ON benefit_payroll_lines(status, cycle_id);
