-- person_rollup's key also carries n, so that a report's counts are read
-- from the index alone (an index-only scan) instead of visiting the table
-- for every row of a county's villages.
ALTER TABLE person_rollup DROP CONSTRAINT person_rollup_pkey;
ALTER TABLE person_rollup ADD PRIMARY KEY (depth, path, sex, urban, married, status, birth_month, death_month) INCLUDE (n);
