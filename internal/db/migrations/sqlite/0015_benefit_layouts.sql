-- Bank file layouts a county set up for its banks (the built-in ones are
-- examples in code). A layout in use is replaced by saving it again under
-- the same key; the audit journal keeps every version.
CREATE TABLE benefit_bank_layouts (
    key         TEXT PRIMARY KEY,
    layout      TEXT NOT NULL,
    return_spec TEXT NOT NULL,
    set_by      TEXT NOT NULL,
    set_at      TEXT NOT NULL
);
