-- Period reports filed upward (统计报表上报). A village or township
-- generates its report for a period, checks it, submits it to the level
-- above, which returns it with a reason or accepts it. snapshot holds the
-- report as generated (JSON); once accepted the row is locked: no change
-- of any kind, enforced here whatever code (or manual SQL) tries. Later
-- changes to records show as differences against the snapshot.
CREATE TABLE stat_reports (
    id            INTEGER PRIMARY KEY,
    division_code TEXT NOT NULL REFERENCES divisions(code),
    division_path TEXT NOT NULL,
    period        TEXT NOT NULL,
    period_from   TEXT NOT NULL,
    period_to     TEXT NOT NULL,
    due_on        TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'reviewed', 'submitted', 'returned', 'accepted')),
    snapshot      TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    generated_at  TEXT NOT NULL,
    generated_by  TEXT NOT NULL,
    submitted_at  TEXT,
    submitted_by  TEXT,
    decided_at    TEXT,
    decided_by    TEXT,
    remark        TEXT NOT NULL DEFAULT '',
    UNIQUE (division_code, period)
);
CREATE INDEX stat_reports_path ON stat_reports(division_path, period);

-- Every step of a report, in order: who, when, what, and why.
CREATE TABLE stat_report_steps (
    id         INTEGER PRIMARY KEY,
    report_id  INTEGER NOT NULL REFERENCES stat_reports(id),
    action     TEXT NOT NULL CHECK (action IN ('generate', 'review', 'submit', 'return', 'accept')),
    version    INTEGER NOT NULL,
    remark     TEXT NOT NULL DEFAULT '',
    acted_by   TEXT NOT NULL,
    acted_at   TEXT NOT NULL
);
CREATE INDEX stat_report_steps_report ON stat_report_steps(report_id, id);

CREATE TRIGGER stat_reports_locked_update BEFORE UPDATE ON stat_reports
WHEN OLD.status = 'accepted'
BEGIN
    SELECT RAISE(ABORT, 'stat report is accepted and locked');
END;

CREATE TRIGGER stat_reports_locked_delete BEFORE DELETE ON stat_reports
WHEN OLD.status = 'accepted'
BEGIN
    SELECT RAISE(ABORT, 'stat report is accepted and locked');
END;
