-- Bulk loads keep the count tables themselves. A million-row load through
-- the per-row count trigger updates the same few thousand counter rows
-- hundreds of times each inside one transaction, and every update of a row
-- must walk the chain of its versions from that transaction: the load slows
-- down as it goes. While a transaction's setting jisheng.bulk_insert is on,
-- the count triggers skip inserts, and the loader adds its sums at the end
-- (see internal/db/bulk.go). Setting it needs no lock, unlike disabling the
-- trigger, which would lock the table against every reader.

CREATE OR REPLACE FUNCTION persons_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND current_setting('jisheng.bulk_insert', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.reg_path = NEW.reg_path AND OLD.res_path = NEW.res_path
       AND OLD.sex = NEW.sex AND OLD.status = NEW.status THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE person_counts SET n = n - 1 WHERE reg_path = OLD.reg_path AND sex = OLD.sex
            AND status = OLD.status AND away = (OLD.reg_path <> OLD.res_path)::int;
        IF OLD.reg_path <> OLD.res_path THEN
            UPDATE person_away SET n = n - 1 WHERE res_path = OLD.res_path AND lca_path = path_lca(OLD.reg_path, OLD.res_path);
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO person_counts (reg_path, sex, status, away, n)
        VALUES (NEW.reg_path, NEW.sex, NEW.status, (NEW.reg_path <> NEW.res_path)::int, 1)
        ON CONFLICT (reg_path, sex, status, away) DO UPDATE SET n = person_counts.n + 1;
        IF NEW.reg_path <> NEW.res_path THEN
            INSERT INTO person_away (res_path, lca_path, n) VALUES (NEW.res_path, path_lca(NEW.reg_path, NEW.res_path), 1)
            ON CONFLICT (res_path, lca_path) DO UPDATE SET n = person_away.n + 1;
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION households_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND current_setting('jisheng.bulk_insert', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.division_path = NEW.division_path THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE household_counts SET n = n - 1 WHERE path = OLD.division_path;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO household_counts (path, n) VALUES (NEW.division_path, 1)
        ON CONFLICT (path) DO UPDATE SET n = household_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;
