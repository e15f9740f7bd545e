-- Data quality: the current findings of the quality rules and their counts
-- per division. A finding is a current fact about one record; when the
-- record is fixed the finding is deleted, so no history is kept here (the
-- audit journal records the changes to the records themselves).
--
-- division_path is the registered division of a person (户籍地) or the
-- division of a household: the village that keeps the record owns its
-- findings. group_key is set by the rules that relate several records (the
-- blind index of a shared ID number, village|birth date|name of probable
-- duplicates) so that fixing one member of a group finds the others.
-- digest is a 64-bit hash of division_path, detail and group_key: a
-- recompute compares it with what the rules find and rewrites only the
-- findings that changed. The table is clustered by its key (WITHOUT ROWID):
-- one B-tree fewer to write when a county's findings are first stored.
CREATE TABLE dq_findings (
    entity        TEXT NOT NULL CHECK (entity IN ('person', 'household')),
    entity_id     INTEGER NOT NULL,
    rule          TEXT NOT NULL,
    division_path TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    group_key     TEXT,
    digest        INTEGER NOT NULL,
    found_at      TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id, rule)
) WITHOUT ROWID;
CREATE INDEX dq_findings_path ON dq_findings(division_path, rule, entity_id);
CREATE INDEX dq_findings_group ON dq_findings(rule, group_key) WHERE group_key IS NOT NULL;

-- Open findings per division path (the exact path of the records, a village
-- or a group) and tally: each rule's code, and 'incomplete' for the persons
-- lacking a required field. Rewritten from dq_findings for every path a
-- change touches, so the statistics pages sum a few thousand rows instead
-- of counting findings.
CREATE TABLE dq_counts (
    division_path TEXT NOT NULL,
    tally         TEXT NOT NULL,
    n             INTEGER NOT NULL,
    PRIMARY KEY (division_path, tally)
);
