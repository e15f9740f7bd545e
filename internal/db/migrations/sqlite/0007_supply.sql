-- Contraceptive supply (避孕药具): the catalogue, the places that hold stock
-- (service stations, village rooms, dispensing machines), stock per place and
-- batch, the append-only ledger of moves, and the register of each person's
-- informed choice of contraceptive method (避孕方法知情选择).
--
-- Stock is a quantity per site and batch; every change of it is a row of
-- supply_moves written in the same transaction, so the ledger always
-- explains the stock. Decrements are conditional updates (qty >= wanted) and
-- the CHECK (qty >= 0) is the backstop should any code path forget it. A
-- wrong move is undone by a reversal that names it (reverses_id, unique: a
-- move is reversed at most once); nothing is deleted.
--
-- A move changes its site's stock by qty (signed) and, for a transfer, its
-- destination's by -qty; a reversal copies the sites and batch and negates
-- qty, so one rule computes every move's effect. division_path and to_path
-- copy the sites' paths so that scope is a range condition on the move row.
-- request_key (with line_no for multi-line requests) makes a retried
-- submission find the first one instead of moving stock twice; log_key does
-- the same for rows of dispensing-machine logs.
--
-- contraceptive_use holds one row per method a person chose, from since
-- until the next choice (until, exclusive); at most one row is open. Methods
-- are an enumeration of services, never a target: nothing here counts
-- against anyone.

CREATE TABLE supply_items (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    method     TEXT NOT NULL CHECK (method IN ('iud', 'female_sterilisation', 'male_sterilisation', 'implant',
                   'injection', 'oral', 'condom', 'spermicide', 'other')),
    spec       TEXT NOT NULL DEFAULT '',
    unit       TEXT NOT NULL,
    low_stock  INTEGER NOT NULL DEFAULT 0 CHECK (low_stock >= 0),
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

-- The free basic contraceptives supplied nationally; counties edit, add or
-- deactivate items through the API.
INSERT INTO supply_items (code, name, method, spec, unit, low_stock, created_at, created_by, updated_at, updated_by) VALUES
    ('BYT01', '避孕套（男用）', 'condom', '中号 52mm', '只', 200, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'system', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'system'),
    ('KFY01', '短效口服避孕药（复方左炔诺孕酮片）', 'oral', '22片/板', '板', 30, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'system', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'system'),
    ('WYY01', '外用避孕药（壬苯醇醚栓）', 'spermicide', '100mg×10枚/盒', '盒', 20, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'system', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'system'),
    ('BYZ01', '避孕针（醋酸甲羟孕酮注射液）', 'injection', '150mg/1ml', '支', 10, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'system', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'system'),
    ('PXM01', '皮下埋植剂（左炔诺孕酮硅胶棒）', 'implant', '2根/套', '套', 5, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'system', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'system'),
    ('JYQ01', '宫内节育器（含铜T型）', 'iud', 'TCu380A', '个', 10, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'system', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'system');

-- Sites: a service station (county or township), a village room, or a
-- dispensing machine, which also has the code its logs carry.
CREATE TABLE supply_sites (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('station', 'room', 'machine')),
    name          TEXT NOT NULL,
    division_code TEXT NOT NULL REFERENCES divisions(code),
    division_path TEXT NOT NULL,
    machine_code  TEXT UNIQUE,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    CHECK ((kind = 'machine') = (machine_code IS NOT NULL))
);
CREATE INDEX supply_sites_path ON supply_sites(division_path, kind);

-- A batch (批号) of an item has one expiry date wherever it is stocked.
CREATE TABLE supply_batches (
    id         INTEGER PRIMARY KEY,
    item_id    INTEGER NOT NULL REFERENCES supply_items(id),
    batch_no   TEXT NOT NULL,
    expiry     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (item_id, batch_no)
);

CREATE TABLE supply_stock (
    id            INTEGER PRIMARY KEY,
    site_id       INTEGER NOT NULL REFERENCES supply_sites(id),
    batch_id      INTEGER NOT NULL REFERENCES supply_batches(id),
    item_id       INTEGER NOT NULL REFERENCES supply_items(id),
    qty           INTEGER NOT NULL CHECK (qty >= 0),
    division_path TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (site_id, batch_id)
);
CREATE INDEX supply_stock_site ON supply_stock(site_id, item_id);
CREATE INDEX supply_stock_path ON supply_stock(division_path);

CREATE TABLE supply_moves (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('receipt', 'transfer', 'stocktake', 'dispense', 'reversal')),
    site_id       INTEGER NOT NULL REFERENCES supply_sites(id),
    to_site_id    INTEGER REFERENCES supply_sites(id),
    item_id       INTEGER NOT NULL REFERENCES supply_items(id),
    batch_id      INTEGER NOT NULL REFERENCES supply_batches(id),
    qty           INTEGER NOT NULL,
    book_qty      INTEGER,
    counted_qty   INTEGER,
    person_id     INTEGER REFERENCES persons(id),
    method        TEXT,
    supplier      TEXT,
    note          TEXT NOT NULL DEFAULT '',
    reverses_id   INTEGER UNIQUE REFERENCES supply_moves(id),
    source        TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'machine')),
    machine_time  TEXT,
    card_enc      BLOB,
    card_mask     TEXT,
    log_key       TEXT UNIQUE,
    request_key   TEXT,
    line_no       INTEGER NOT NULL DEFAULT 1,
    moved_on      TEXT NOT NULL,
    division_path TEXT NOT NULL,
    to_path       TEXT,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    CHECK (kind <> 'transfer' OR to_site_id IS NOT NULL),
    CHECK (to_site_id IS NULL OR kind IN ('transfer', 'reversal')),
    CHECK (kind <> 'reversal' OR reverses_id IS NOT NULL),
    CHECK (qty <> 0 OR kind = 'stocktake'),
    CHECK (kind <> 'receipt' OR qty > 0),
    CHECK (kind NOT IN ('transfer', 'dispense') OR qty < 0)
);
CREATE UNIQUE INDEX supply_moves_request ON supply_moves(request_key, line_no);
CREATE INDEX supply_moves_path ON supply_moves(division_path, moved_on);
CREATE INDEX supply_moves_to_path ON supply_moves(to_path, moved_on);
CREATE INDEX supply_moves_site ON supply_moves(site_id, id);
CREATE INDEX supply_moves_to_site ON supply_moves(to_site_id, id);
CREATE INDEX supply_moves_person ON supply_moves(person_id, moved_on);

CREATE TABLE contraceptive_use (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES persons(id),
    method      TEXT NOT NULL CHECK (method IN ('iud', 'female_sterilisation', 'male_sterilisation', 'implant',
                    'injection', 'oral', 'condom', 'spermicide', 'other', 'none')),
    since       TEXT NOT NULL,
    until       TEXT,
    source      TEXT NOT NULL CHECK (source IN ('dispensing', 'procedure', 'officer')),
    note        TEXT NOT NULL DEFAULT '',
    move_id     INTEGER REFERENCES supply_moves(id),
    recorded_by TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CHECK (until IS NULL OR until >= since)
);
CREATE INDEX contraceptive_use_person ON contraceptive_use(person_id, since);
CREATE UNIQUE INDEX contraceptive_use_current ON contraceptive_use(person_id) WHERE until IS NULL;
