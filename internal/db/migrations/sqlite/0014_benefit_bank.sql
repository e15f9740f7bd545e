-- Lines of a bank's return file that match nothing sent (or match with a
-- different amount or account): the exception list officers clear by
-- hand. Kept with the cycle and the file line they came from.
CREATE TABLE benefit_bank_exceptions (
    id          INTEGER PRIMARY KEY,
    cycle_id    INTEGER NOT NULL REFERENCES benefit_cycles(id),
    file_line   INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    account     TEXT NOT NULL,
    amount_fen  INTEGER NOT NULL,
    bank_code   TEXT NOT NULL,
    message     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE INDEX benefit_bank_exceptions_cycle ON benefit_bank_exceptions(cycle_id);
