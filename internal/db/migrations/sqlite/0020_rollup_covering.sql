-- Nothing to do on SQLite: person_rollup is a WITHOUT ROWID table, whose
-- key's b-tree already holds n. PostgreSQL's index gets n (INCLUDE).
SELECT 1;
