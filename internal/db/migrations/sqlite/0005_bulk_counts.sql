-- Nothing to change on SQLite: a bulk load drops the count triggers inside
-- its transaction and keeps the counts itself (internal/db/bulk.go). The
-- PostgreSQL migration of this number lets its count triggers skip a bulk
-- load's inserts.
SELECT 1;
