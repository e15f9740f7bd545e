-- Statistics count the population, by division, sex, urban or rural and
-- five-year age group, at the end of any day (the end of a period and the
-- day before it). Reading a million persons twice per report is seconds;
-- person_rollup keeps the same persons counted by birth month (or year)
-- and death month instead, in the transaction of every change, like
-- person_counts. An age group or "born by the date" is decided by the birth
-- year, or month, except in the few months that hold a group's bound or
-- the date itself inside them; the statistics read those persons one by
-- one (internal/stats/rollup.go).
--
-- depth 0 counts by registered division and birth month, depth 1 by its
-- township (the first 26 bytes of the path) and birth month, depth 2 by
-- township and birth year, depth 3 by registered division and birth year
-- (birth_month holds the year): a county's report reads townships' rows, a
-- township's its villages', by year except in the years that hold an age
-- bound inside them.
-- married marks a first or later marriage (married women are counted from
-- the same rows); urban a non-agricultural household registration.
CREATE TABLE person_rollup (
    depth       INTEGER NOT NULL,
    path        TEXT NOT NULL,
    sex         TEXT NOT NULL,
    urban       INTEGER NOT NULL,
    married     INTEGER NOT NULL,
    status      TEXT NOT NULL,
    birth_month TEXT NOT NULL,
    death_month TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (depth, path, sex, urban, married, status, birth_month, death_month)
) WITHOUT ROWID;

INSERT INTO person_rollup (depth, path, sex, urban, married, status, birth_month, death_month, n)
SELECT 0, p.reg_path, p.sex, CASE WHEN p.hukou_type = 'non_agricultural' THEN 1 ELSE 0 END,
        CASE WHEN p.marital_status IN ('first_married', 'remarried') THEN 1 ELSE 0 END, p.status,
        COALESCE(substr(p.birth_date, 1, 7), ''), COALESCE(substr(p.death_date, 1, 7), ''), COUNT(*)
    FROM persons p GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
INSERT INTO person_rollup (depth, path, sex, urban, married, status, birth_month, death_month, n)
SELECT 1, substr(p.reg_path, 1, 26), p.sex, CASE WHEN p.hukou_type = 'non_agricultural' THEN 1 ELSE 0 END,
        CASE WHEN p.marital_status IN ('first_married', 'remarried') THEN 1 ELSE 0 END, p.status,
        COALESCE(substr(p.birth_date, 1, 7), ''), COALESCE(substr(p.death_date, 1, 7), ''), COUNT(*)
    FROM persons p GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
INSERT INTO person_rollup (depth, path, sex, urban, married, status, birth_month, death_month, n)
SELECT 2, substr(p.reg_path, 1, 26), p.sex, CASE WHEN p.hukou_type = 'non_agricultural' THEN 1 ELSE 0 END,
        CASE WHEN p.marital_status IN ('first_married', 'remarried') THEN 1 ELSE 0 END, p.status,
        COALESCE(substr(p.birth_date, 1, 4), ''), COALESCE(substr(p.death_date, 1, 7), ''), COUNT(*)
    FROM persons p GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
INSERT INTO person_rollup (depth, path, sex, urban, married, status, birth_month, death_month, n)
SELECT 3, p.reg_path, p.sex, CASE WHEN p.hukou_type = 'non_agricultural' THEN 1 ELSE 0 END,
        CASE WHEN p.marital_status IN ('first_married', 'remarried') THEN 1 ELSE 0 END, p.status,
        COALESCE(substr(p.birth_date, 1, 4), ''), COALESCE(substr(p.death_date, 1, 7), ''), COUNT(*)
    FROM persons p GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

CREATE TRIGGER persons_rollup_insert AFTER INSERT ON persons BEGIN
    INSERT INTO person_rollup (depth, path, sex, urban, married, status, birth_month, death_month, n)
    VALUES (0, NEW.reg_path, NEW.sex, CASE WHEN NEW.hukou_type = 'non_agricultural' THEN 1 ELSE 0 END,
        CASE WHEN NEW.marital_status IN ('first_married', 'remarried') THEN 1 ELSE 0 END, NEW.status,
        COALESCE(substr(NEW.birth_date, 1, 7), ''), COALESCE(substr(NEW.death_date, 1, 7), ''), 1)
    ON CONFLICT (depth, path, sex, urban, married, status, birth_month, death_month) DO UPDATE SET n = n + 1;
    INSERT INTO person_rollup (depth, path, sex, urban, married, status, birth_month, death_month, n)
    VALUES (1, substr(NEW.reg_path, 1, 26), NEW.sex, CASE WHEN NEW.hukou_type = 'non_agricultural' THEN 1 ELSE 0 END,
        CASE WHEN NEW.marital_status IN ('first_married', 'remarried') THEN 1 ELSE 0 END, NEW.status,
        COALESCE(substr(NEW.birth_date, 1, 7), ''), COALESCE(substr(NEW.death_date, 1, 7), ''), 1)
    ON CONFLICT (depth, path, sex, urban, married, status, birth_month, death_month) DO UPDATE SET n = n + 1;
    INSERT INTO person_rollup (depth, path, sex, urban, married, status, birth_month, death_month, n)
    VALUES (2, substr(NEW.reg_path, 1, 26), NEW.sex, CASE WHEN NEW.hukou_type = 'non_agricultural' THEN 1 ELSE 0 END,
        CASE WHEN NEW.marital_status IN ('first_married', 'remarried') THEN 1 ELSE 0 END, NEW.status,
        COALESCE(substr(NEW.birth_date, 1, 4), ''), COALESCE(substr(NEW.death_date, 1, 7), ''), 1)
    ON CONFLICT (depth, path, sex, urban, married, status, birth_month, death_month) DO UPDATE SET n = n + 1;
    INSERT INTO person_rollup (depth, path, sex, urban, married, status, birth_month, death_month, n)
    VALUES (3, NEW.reg_path, NEW.sex, CASE WHEN NEW.hukou_type = 'non_agricultural' THEN 1 ELSE 0 END,
        CASE WHEN NEW.marital_status IN ('first_married', 'remarried') THEN 1 ELSE 0 END, NEW.status,
        COALESCE(substr(NEW.birth_date, 1, 4), ''), COALESCE(substr(NEW.death_date, 1, 7), ''), 1)
    ON CONFLICT (depth, path, sex, urban, married, status, birth_month, death_month) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER persons_rollup_delete AFTER DELETE ON persons BEGIN
    UPDATE person_rollup SET n = n - 1 WHERE depth = 0 AND path = OLD.reg_path AND sex = OLD.sex
        AND urban = CASE WHEN OLD.hukou_type = 'non_agricultural' THEN 1 ELSE 0 END
        AND married = CASE WHEN OLD.marital_status IN ('first_married', 'remarried') THEN 1 ELSE 0 END
        AND status = OLD.status AND birth_month = COALESCE(substr(OLD.birth_date, 1, 7), '')
        AND death_month = COALESCE(substr(OLD.death_date, 1, 7), '');
    UPDATE person_rollup SET n = n - 1 WHERE depth = 1 AND path = substr(OLD.reg_path, 1, 26) AND sex = OLD.sex
        AND urban = CASE WHEN OLD.hukou_type = 'non_agricultural' THEN 1 ELSE 0 END
        AND married = CASE WHEN OLD.marital_status IN ('first_married', 'remarried') THEN 1 ELSE 0 END
        AND status = OLD.status AND birth_month = COALESCE(substr(OLD.birth_date, 1, 7), '')
        AND death_month = COALESCE(substr(OLD.death_date, 1, 7), '');
    UPDATE person_rollup SET n = n - 1 WHERE depth = 2 AND path = substr(OLD.reg_path, 1, 26) AND sex = OLD.sex
        AND urban = CASE WHEN OLD.hukou_type = 'non_agricultural' THEN 1 ELSE 0 END
        AND married = CASE WHEN OLD.marital_status IN ('first_married', 'remarried') THEN 1 ELSE 0 END
        AND status = OLD.status AND birth_month = COALESCE(substr(OLD.birth_date, 1, 4), '')
        AND death_month = COALESCE(substr(OLD.death_date, 1, 7), '');
    UPDATE person_rollup SET n = n - 1 WHERE depth = 3 AND path = OLD.reg_path AND sex = OLD.sex
        AND urban = CASE WHEN OLD.hukou_type = 'non_agricultural' THEN 1 ELSE 0 END
        AND married = CASE WHEN OLD.marital_status IN ('first_married', 'remarried') THEN 1 ELSE 0 END
        AND status = OLD.status AND birth_month = COALESCE(substr(OLD.birth_date, 1, 4), '')
        AND death_month = COALESCE(substr(OLD.death_date, 1, 7), '');
END;

CREATE TRIGGER persons_rollup_update AFTER UPDATE OF reg_path, sex, hukou_type, marital_status, status, birth_date, death_date ON persons
WHEN OLD.reg_path IS NOT NEW.reg_path OR OLD.sex IS NOT NEW.sex OR OLD.hukou_type IS NOT NEW.hukou_type
    OR OLD.marital_status IS NOT NEW.marital_status OR OLD.status IS NOT NEW.status OR OLD.birth_date IS NOT NEW.birth_date
    OR OLD.death_date IS NOT NEW.death_date
BEGIN
    UPDATE person_rollup SET n = n - 1 WHERE depth = 0 AND path = OLD.reg_path AND sex = OLD.sex
        AND urban = CASE WHEN OLD.hukou_type = 'non_agricultural' THEN 1 ELSE 0 END
        AND married = CASE WHEN OLD.marital_status IN ('first_married', 'remarried') THEN 1 ELSE 0 END
        AND status = OLD.status AND birth_month = COALESCE(substr(OLD.birth_date, 1, 7), '')
        AND death_month = COALESCE(substr(OLD.death_date, 1, 7), '');
    UPDATE person_rollup SET n = n - 1 WHERE depth = 1 AND path = substr(OLD.reg_path, 1, 26) AND sex = OLD.sex
        AND urban = CASE WHEN OLD.hukou_type = 'non_agricultural' THEN 1 ELSE 0 END
        AND married = CASE WHEN OLD.marital_status IN ('first_married', 'remarried') THEN 1 ELSE 0 END
        AND status = OLD.status AND birth_month = COALESCE(substr(OLD.birth_date, 1, 7), '')
        AND death_month = COALESCE(substr(OLD.death_date, 1, 7), '');
    UPDATE person_rollup SET n = n - 1 WHERE depth = 2 AND path = substr(OLD.reg_path, 1, 26) AND sex = OLD.sex
        AND urban = CASE WHEN OLD.hukou_type = 'non_agricultural' THEN 1 ELSE 0 END
        AND married = CASE WHEN OLD.marital_status IN ('first_married', 'remarried') THEN 1 ELSE 0 END
        AND status = OLD.status AND birth_month = COALESCE(substr(OLD.birth_date, 1, 4), '')
        AND death_month = COALESCE(substr(OLD.death_date, 1, 7), '');
    UPDATE person_rollup SET n = n - 1 WHERE depth = 3 AND path = OLD.reg_path AND sex = OLD.sex
        AND urban = CASE WHEN OLD.hukou_type = 'non_agricultural' THEN 1 ELSE 0 END
        AND married = CASE WHEN OLD.marital_status IN ('first_married', 'remarried') THEN 1 ELSE 0 END
        AND status = OLD.status AND birth_month = COALESCE(substr(OLD.birth_date, 1, 4), '')
        AND death_month = COALESCE(substr(OLD.death_date, 1, 7), '');
    INSERT INTO person_rollup (depth, path, sex, urban, married, status, birth_month, death_month, n)
    VALUES (0, NEW.reg_path, NEW.sex, CASE WHEN NEW.hukou_type = 'non_agricultural' THEN 1 ELSE 0 END,
        CASE WHEN NEW.marital_status IN ('first_married', 'remarried') THEN 1 ELSE 0 END, NEW.status,
        COALESCE(substr(NEW.birth_date, 1, 7), ''), COALESCE(substr(NEW.death_date, 1, 7), ''), 1)
    ON CONFLICT (depth, path, sex, urban, married, status, birth_month, death_month) DO UPDATE SET n = n + 1;
    INSERT INTO person_rollup (depth, path, sex, urban, married, status, birth_month, death_month, n)
    VALUES (1, substr(NEW.reg_path, 1, 26), NEW.sex, CASE WHEN NEW.hukou_type = 'non_agricultural' THEN 1 ELSE 0 END,
        CASE WHEN NEW.marital_status IN ('first_married', 'remarried') THEN 1 ELSE 0 END, NEW.status,
        COALESCE(substr(NEW.birth_date, 1, 7), ''), COALESCE(substr(NEW.death_date, 1, 7), ''), 1)
    ON CONFLICT (depth, path, sex, urban, married, status, birth_month, death_month) DO UPDATE SET n = n + 1;
    INSERT INTO person_rollup (depth, path, sex, urban, married, status, birth_month, death_month, n)
    VALUES (2, substr(NEW.reg_path, 1, 26), NEW.sex, CASE WHEN NEW.hukou_type = 'non_agricultural' THEN 1 ELSE 0 END,
        CASE WHEN NEW.marital_status IN ('first_married', 'remarried') THEN 1 ELSE 0 END, NEW.status,
        COALESCE(substr(NEW.birth_date, 1, 4), ''), COALESCE(substr(NEW.death_date, 1, 7), ''), 1)
    ON CONFLICT (depth, path, sex, urban, married, status, birth_month, death_month) DO UPDATE SET n = n + 1;
    INSERT INTO person_rollup (depth, path, sex, urban, married, status, birth_month, death_month, n)
    VALUES (3, NEW.reg_path, NEW.sex, CASE WHEN NEW.hukou_type = 'non_agricultural' THEN 1 ELSE 0 END,
        CASE WHEN NEW.marital_status IN ('first_married', 'remarried') THEN 1 ELSE 0 END, NEW.status,
        COALESCE(substr(NEW.birth_date, 1, 4), ''), COALESCE(substr(NEW.death_date, 1, 7), ''), 1)
    ON CONFLICT (depth, path, sex, urban, married, status, birth_month, death_month) DO UPDATE SET n = n + 1;
END;

-- Contraceptive users are found from the uses standing at a date: a
-- woman counts by her own method or her husband's.
CREATE INDEX persons_spouse ON persons(spouse_id) WHERE spouse_id IS NOT NULL;

-- The persons of a few birth months, and a period's births, are read one
-- by one; the index holds what the population, married-women and birth
-- counts ask of them, so that they need no visit to a million-row table.
DROP INDEX persons_birth;
CREATE INDEX persons_birth ON persons(birth_date, status, reg_path, sex, hukou_type, marital_status, death_date,
    mother_id, father_id);

-- A birth is urban when either parent's registration is non-agricultural:
-- the parents' registration type is read from this index, not their rows.
CREATE INDEX persons_hukou ON persons(hukou_type, id);

-- A period's marriages are found by kind and date among millions of events,
-- not by walking every event of the area.
CREATE INDEX person_events_kind ON person_events(kind, event_date);
