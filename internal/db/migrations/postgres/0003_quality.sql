-- Data quality: the current findings of the quality rules and their counts
-- per division. Same shape as the SQLite schema; see there for the why.
CREATE TABLE dq_findings (
    entity        TEXT NOT NULL CHECK (entity IN ('person', 'household')),
    entity_id     BIGINT NOT NULL,
    rule          TEXT COLLATE "C" NOT NULL,
    division_path TEXT COLLATE "C" NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    group_key     TEXT COLLATE "C",
    digest        BIGINT NOT NULL,
    found_at      TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id, rule)
);
CREATE INDEX dq_findings_path ON dq_findings(division_path, rule, entity_id);
CREATE INDEX dq_findings_group ON dq_findings(rule, group_key) WHERE group_key IS NOT NULL;

CREATE TABLE dq_counts (
    division_path TEXT COLLATE "C" NOT NULL,
    tally         TEXT COLLATE "C" NOT NULL,
    n             INTEGER NOT NULL,
    PRIMARY KEY (division_path, tally)
);
