package registry

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/division"
	"jisheng/internal/idno"
)

func init() {
	audit.RegisterActions(map[string]string{"person.import": "导入人员", "household.import": "导入户", "event.import": "导入人员事件"})
}

// ImportRow is one person of an import file, in the API's codes (not the
// file's Chinese labels), with the number of the household they belong to.
type ImportRow struct {
	Fields
	HouseholdNo string
}

// ImportItem is a row that passed the checks that need no database, with
// its sensitive values already encrypted.
type ImportItem struct {
	c        cleaned
	sealed   sealedRow
	reg, res division.Division
	hhNo     string
	village  division.Division // the registered village (reg may be a group within it)
	idKey    uint64            // the ID number as a number, for duplicate detection; 0 when none
	Warnings []string
}

// PersonImport writes many persons in one transaction with the same rules
// as Create. It works in two stages so that a loader can run them on two
// goroutines: Prepare checks and encrypts a row on its own (CPU work, no
// transaction), CheckBatch and InsertBatch run the checks that need the
// database and write, inside the caller's transaction.
type PersonImport struct {
	s     *Service
	pr    *auth.Principal
	today time.Time
	divs  *divisionCache

	seenIDs     map[uint64]int       // ID key → line of the file where first seen
	households  map[string]*importHH // household number → what the file and database say of it
	ids         idAllocator
	hhIDs       idAllocator
	counts      bulkCounts
	deferred    Changed // what the hooks have not heard of yet
	nextAnalyze int     // PostgreSQL: rows loaded at which to refresh the planner's statistics
	stmt        *sql.Stmt
	args        []any
	Inserted    int
	FirstID     int64
	LastID      int64
	CreatedHH   int
}

type importHH struct {
	id       int64 // 0 until it exists in the database
	village  string
	path     string
	headLine int // line of the living head in the file, 0 when none
	hasHead  bool
	created  bool
}

// Expect tells the import roughly how many rows the file holds, so that a
// large load into a small table can rebuild the indexes instead of growing them.
func (pi *PersonImport) Expect(rows int) { pi.counts.expected = rows }

// NewPersonImport starts an import on behalf of pr. Divisions are read
// through c (a reader), so Prepare may run beside the writing transaction.
func (s *Service) NewPersonImport(pr *auth.Principal, c db.Conn) *PersonImport {
	return &PersonImport{s: s, pr: pr, today: s.today(), divs: newDivisionCache(c),
		seenIDs: map[uint64]int{}, households: map[string]*importHH{}}
}

// Prepare validates one row on its own and encrypts its sensitive values.
func (pi *PersonImport) Prepare(ctx context.Context, row ImportRow) (ImportItem, error) {
	var it ImportItem
	in := PersonInput{Fields: row.Fields}
	if strings.TrimSpace(row.HouseholdNo) != "" {
		// The household is named by number, and found or created later;
		// clean only needs to know there is one.
		in.HouseholdID = new(int64)
	}
	c, err := clean(in, pi.today)
	if err != nil {
		return it, err
	}
	c.HouseholdID = nil
	if c.MotherID != nil || c.FatherID != nil {
		return it, apperr.New(apperr.Invalid, "导入时不能指定父母，请在导入后关联")
	}
	it.c, it.Warnings = c, c.warnings
	if it.reg, err = pi.divs.village(ctx, "registered_division", "户籍地", c.RegisteredDivision); err != nil {
		return it, err
	}
	if it.village, err = pi.divs.village(ctx, "registered_division", "户籍地", villageOf(c.RegisteredDivision)); err != nil {
		return it, err
	}
	if it.res, err = pi.divs.village(ctx, "residence_division", "现居住地", c.ResidenceDivision); err != nil {
		return it, err
	}
	if !pi.pr.Covers(it.reg.Path) && !pi.pr.Covers(it.res.Path) {
		return it, apperr.InvalidField("registered_division", "户籍地和现居住地都不在您的管辖范围内")
	}
	it.hhNo = strings.TrimSpace(row.HouseholdNo)
	if err := checkImportHousehold(&it); err != nil {
		return it, err
	}
	if it.idKey, err = idKey(c.idNumber); err != nil {
		return it, err
	}
	it.sealed, err = pi.s.sealed(&c)
	return it, err
}

func checkImportHousehold(it *ImportItem) error {
	if it.hhNo == "" {
		if it.c.Relation != "" {
			return apperr.InvalidField("household_no", "填写了与户主关系，请同时填写户编号")
		}
		return nil
	}
	if !hhNoPattern.MatchString(it.hhNo) {
		return apperr.InvalidField("household_no", "户编号应为 1 到 32 位字母、数字或 -")
	}
	if it.c.Relation == "" {
		return apperr.InvalidField("relation", "填写了户编号，请同时填写与户主关系")
	}
	return nil
}

// idKey packs an 18-character ID number into a number: 17 digits and the
// check character's value.
func idKey(number string) (uint64, error) {
	if number == "" {
		return 0, nil
	}
	if len(number) != 18 {
		return 0, apperr.InvalidField(idno.Field, "公民身份号码应为18位")
	}
	var k uint64
	for i := 0; i < 17; i++ {
		k = k*10 + uint64(number[i]-'0')
	}
	last := uint64(10)
	if number[17] != 'X' {
		last = uint64(number[17] - '0')
	}
	return k*11 + last + 1, nil
}

// CheckBatch runs the checks that need the database and the rest of the
// file: an ID number used twice in the file or already registered, and the
// households the rows name. It returns one error (or nil) per item. Rows
// that fail leave no trace in the import's state.
func (pi *PersonImport) CheckBatch(ctx context.Context, tx *db.Tx, items []ImportItem, lines []int) ([]error, error) {
	errs := make([]error, len(items))
	if err := pi.checkIDs(ctx, tx, items, lines, errs); err != nil {
		return nil, err
	}
	if err := pi.loadHouseholds(ctx, tx, items); err != nil {
		return nil, err
	}
	for i := range items {
		if errs[i] == nil {
			errs[i] = pi.claimHousehold(&items[i], lines[i])
		}
	}
	return errs, nil
}

func (pi *PersonImport) checkIDs(ctx context.Context, tx *db.Tx, items []ImportItem, lines []int, errs []error) error {
	var bidx []any
	for i := range items {
		it := &items[i]
		if it.idKey == 0 {
			continue
		}
		if first, ok := pi.seenIDs[it.idKey]; ok {
			errs[i] = apperr.InvalidField(idno.Field, fmt.Sprintf("公民身份号码与文件第 %d 行重复", first))
			continue
		}
		pi.seenIDs[it.idKey] = lines[i]
		bidx = append(bidx, it.sealed.idBidx)
	}
	if len(bidx) == 0 {
		return nil
	}
	registered := map[string]bool{}
	rows, err := tx.Query(ctx, `SELECT id_bidx FROM persons WHERE id_bidx IN (`+db.Placeholders(len(bidx))+`)`, bidx...)
	if err != nil {
		return apperr.Wrap(err, "registered ids")
	}
	defer rows.Close()
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			return apperr.Wrap(err, "registered ids")
		}
		registered[b] = true
	}
	for i := range items {
		if errs[i] == nil && items[i].idKey != 0 && registered[items[i].sealed.idBidx.(string)] {
			errs[i] = apperr.InvalidField(idno.Field, "该公民身份号码已登记在系统中")
		}
	}
	return rows.Err()
}

// loadHouseholds reads the households of the batch the import has not met yet.
func (pi *PersonImport) loadHouseholds(ctx context.Context, tx *db.Tx, items []ImportItem) error {
	var nos []any
	asked := map[string]bool{}
	for i := range items {
		no := items[i].hhNo
		if no != "" && pi.households[no] == nil && !asked[no] {
			asked[no] = true
			nos = append(nos, no)
		}
	}
	if len(nos) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT h.id, h.hh_no, h.division_code, h.division_path,
		(SELECT COUNT(*) FROM persons p WHERE p.household_id = h.id AND p.relation = 'head' AND p.status = 'alive')
		FROM households h WHERE h.hh_no IN (`+db.Placeholders(len(nos))+`)`, nos...)
	if err != nil {
		return apperr.Wrap(err, "import households")
	}
	defer rows.Close()
	for rows.Next() {
		var h importHH
		var no, code string
		var heads int
		if err := rows.Scan(&h.id, &no, &code, &h.path, &heads); err != nil {
			return apperr.Wrap(err, "import households")
		}
		h.village, h.hasHead = villageOf(code), heads > 0
		pi.households[no] = &h
	}
	return rows.Err()
}

// claimHousehold checks the row against its household and records it: a
// household met for the first time in the file is created in the row's
// registered village.
func (pi *PersonImport) claimHousehold(it *ImportItem, line int) error {
	if it.hhNo == "" {
		return nil
	}
	h := pi.households[it.hhNo]
	if h != nil && h.id != 0 && !h.created && !pi.pr.Covers(h.path) {
		return apperr.InvalidField("household_no", "户编号 "+it.hhNo+" 属于您管辖范围以外的户")
	}
	village := it.village.Code
	if h != nil && h.village != village {
		return apperr.InvalidField("household_no", "户编号 "+it.hhNo+" 所在村与本行户籍地不一致")
	}
	head := it.c.Relation == "head" && it.c.Status == "alive"
	if head && h != nil && h.hasHead {
		if h.headLine > 0 {
			return apperr.InvalidField("relation", fmt.Sprintf("户 %s 已有户主（文件第 %d 行）", it.hhNo, h.headLine))
		}
		return apperr.InvalidField("relation", "户 "+it.hhNo+" 已有户主")
	}
	if h == nil {
		h = &importHH{village: village, path: it.village.Path}
		pi.households[it.hhNo] = h
	}
	if head {
		h.hasHead, h.headLine = true, line
	}
	return nil
}

// InsertBatch writes items, all of which passed CheckBatch, creating the
// households they name that do not exist yet.
func (pi *PersonImport) InsertBatch(ctx context.Context, tx *db.Tx, items []ImportItem) error {
	if err := pi.counts.begin(ctx, tx); err != nil {
		return err
	}
	var changed Changed
	if err := pi.createHouseholds(ctx, tx, items, &changed); err != nil {
		return err
	}
	ids, err := pi.ids.next(ctx, tx, "persons", len(items))
	if err != nil {
		return err
	}
	now, by := db.Now(), pi.pr.Username
	per := rowsPerStatement(tx)
	for start := 0; start < len(items); start += per {
		end := min(start+per, len(items))
		args := pi.args[:0]
		for i := start; i < end; i++ {
			args = pi.appendRow(args, &items[i], ids[i], now, by)
			pi.counts.person(items[i].reg.Path, items[i].res.Path, &items[i].c.Fields)
			pi.widenArea(items[i].reg.Path)
			pi.widenArea(items[i].res.Path)
		}
		pi.args = args
		if err := pi.exec(ctx, tx, end-start, per, args); err != nil {
			return err
		}
	}
	if pi.FirstID == 0 {
		pi.FirstID = ids[0]
	}
	pi.LastID = ids[len(ids)-1]
	pi.Inserted += len(items)
	if err := pi.refreshStats(ctx, tx); err != nil {
		return err
	}
	changed.Persons = ids
	// The hooks hear of the whole load at its end, in one call marked
	// Bulk: their queries need the indexes a large load suspends, and they
	// can then rework what changed set-based rather than batch by batch.
	pi.deferred.Persons = append(pi.deferred.Persons, changed.Persons...)
	pi.deferred.Households = append(pi.deferred.Households, changed.Households...)
	return nil
}

const bulkRowsPerStmt = 100

// rowsPerStatement is how many rows one INSERT of a bulk load writes. On
// PostgreSQL many, to save round trips. On SQLite one: SQLite keeps a
// statement journal for any statement that writes several rows and may
// abort halfway, and an immediate foreign-key check always may; the journal
// writes cost more than the statements saved.
func rowsPerStatement(tx *db.Tx) int {
	if tx.Dialect() == db.SQLite {
		return 1
	}
	return bulkRowsPerStmt
}

const bulkPersonCols = ` (id, name, sex, birth_date, id_enc, id_bidx, id_mask, phone_enc,
	phone_mask, ethnicity, hukou_type, marital_status, reg_division, reg_path, res_division, res_path,
	household_id, relation, status, death_date, created_at, created_by, updated_at, updated_by) VALUES `
const bulkPersonValues = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func (pi *PersonImport) appendRow(args []any, it *ImportItem, id int64, now, by string) []any {
	c, r := &it.c, &it.sealed
	var hh any
	if it.hhNo != "" {
		hh = pi.households[it.hhNo].id
	}
	return append(args, id, c.Name, c.Sex, c.BirthDate, r.idEnc, r.idBidx, r.idMask, r.phoneEnc, r.phoneMask,
		nullText(c.Ethnicity), nullText(c.HukouType), nullText(c.MaritalStatus), it.reg.Code, it.reg.Path,
		it.res.Code, it.res.Path, hh, nullText(c.Relation), c.Status, nullText(c.DeathDate), now, by, now, by)
}

// exec writes n rows, with the prepared statement of per rows when n == per.
func (pi *PersonImport) exec(ctx context.Context, tx *db.Tx, n, per int, args []any) error {
	if n == per {
		if pi.stmt == nil {
			stmt, err := tx.Prepare(ctx, tx.BulkInsert("persons")+bulkPersonCols+db.RepeatValues(bulkPersonValues, n))
			if err != nil {
				return apperr.Wrap(err, "prepare import")
			}
			pi.stmt = stmt
		}
		// Without cancellation: the SQLite driver starts a goroutine per
		// execution to watch a cancellable context, which a million
		// single-row statements notice. The load checks for cancellation
		// between batches instead.
		_, err := pi.stmt.ExecContext(context.WithoutCancel(ctx), args...)
		return db.Translate(err)
	}
	_, err := tx.Exec(ctx, tx.BulkInsert("persons")+bulkPersonCols+db.RepeatValues(bulkPersonValues, n), args...)
	return err
}

func (pi *PersonImport) createHouseholds(ctx context.Context, tx *db.Tx, items []ImportItem, changed *Changed) error {
	var fresh []string
	for i := range items {
		no := items[i].hhNo
		if no == "" {
			continue
		}
		h := pi.households[no]
		if h.id == 0 && !h.created {
			h.created = true
			fresh = append(fresh, no)
		}
	}
	if err := pi.insertHouseholds(ctx, tx, fresh); err != nil {
		return err
	}
	seen := map[int64]bool{}
	for i := range items {
		if no := items[i].hhNo; no != "" && !seen[pi.households[no].id] {
			seen[pi.households[no].id] = true
			changed.Households = append(changed.Households, pi.households[no].id)
		}
	}
	return nil
}

// insertHouseholds creates the households the file names for the first time.
func (pi *PersonImport) insertHouseholds(ctx context.Context, tx *db.Tx, fresh []string) error {
	if len(fresh) == 0 {
		return nil
	}
	ids, err := pi.hhIDs.next(ctx, tx, "households", len(fresh))
	if err != nil {
		return err
	}
	now, by := db.Now(), pi.pr.Username
	for start := 0; start < len(fresh); start += bulkRowsPerStmt {
		end := min(start+bulkRowsPerStmt, len(fresh))
		args := make([]any, 0, (end-start)*8)
		for i := start; i < end; i++ {
			h := pi.households[fresh[i]]
			h.id = ids[i]
			args = append(args, h.id, fresh[i], h.village, h.path, now, by, now, by)
			pi.counts.household(h.path)
		}
		if _, err := tx.Exec(ctx, tx.BulkInsert("households")+` (id, hh_no, division_code, division_path, address, created_at,
			created_by, updated_at, updated_by) VALUES `+db.RepeatValues(`(?, ?, ?, ?, '', ?, ?, ?, ?)`, end-start), args...); err != nil {
			return apperr.Wrap(err, "create households")
		}
	}
	pi.CreatedHH += len(fresh)
	return nil
}

// refreshStats lets PostgreSQL's planner see the table growing: with the
// statistics of an empty table it looks the batches' ID numbers up by
// scanning the whole table, and a million-person load slows down with
// every batch. ANALYZE samples a fixed number of rows, so running it each
// time the load has grown fourfold costs little.
func (pi *PersonImport) refreshStats(ctx context.Context, tx *db.Tx) error {
	if tx.Dialect() != db.Postgres || pi.Inserted < pi.nextAnalyze {
		return nil
	}
	pi.nextAnalyze = max(pi.Inserted*4, 10000)
	_, err := tx.Exec(ctx, `ANALYZE persons`)
	return apperr.Wrap(err, "analyze persons")
}

// widenArea makes the load's area cover path.
func (pi *PersonImport) widenArea(path string) {
	if pi.deferred.Area == "" {
		pi.deferred.Area = path
	} else if !strings.HasPrefix(path, pi.deferred.Area) {
		pi.deferred.Area = lcaPath(pi.deferred.Area, path)
	}
}

// Close releases the prepared statement; call it before the transaction ends.
func (pi *PersonImport) Close() {
	if pi.stmt != nil {
		pi.stmt.Close()
		pi.stmt = nil
	}
}

// Finish completes the import in its transaction: it brings the count
// tables up to date, restores what the load suspended and records the
// import in the journal as one entry: who loaded which file and the range
// of person ids it created.
func (pi *PersonImport) Finish(ctx context.Context, tx *db.Tx, file string, rows int) error {
	if err := pi.counts.finish(ctx, tx); err != nil {
		return err
	}
	if len(pi.deferred.Persons) > 0 {
		// A small file in a large county is cheaper to recheck record by
		// record than by reworking the area it spans.
		pi.deferred.Bulk = len(pi.deferred.Persons) >= bulkAreaThreshold
		if err := pi.s.Notify(ctx, tx, pi.deferred); err != nil {
			return err
		}
	}
	return pi.s.journal.Append(ctx, tx, audit.Entry{Action: "person.import", Entity: "person",
		After: map[string]any{"file": file, "rows": rows, "persons": pi.Inserted, "households_created": pi.CreatedHH,
			"first_id": pi.FirstID, "last_id": pi.LastID}})
}

// bulkCounts does the work of the count triggers for a bulk load (see
// internal/db's SuspendTriggers): it sums the rows written per key and adds
// the sums to the count tables once, at the end.
type bulkCounts struct {
	begun    bool
	active   bool // the count triggers are suspended and the counts are ours to keep
	restore  func(context.Context) error
	rebuild  func(context.Context) error // the suspended indexes; nil when none were
	expected int                         // rows the file probably holds
	persons  map[personCountKey]int
	away     map[[2]string]int
	hh       map[string]int
	rollup   map[rollupKey]int
}

// rollupKey is a row of person_rollup at depth 0 (migration 0019).
type rollupKey struct {
	path, sex, status, birthMonth, deathMonth string
	urban, married                            bool
}

type personCountKey struct {
	regPath, sex, status string
	away                 bool
}

func (b *bulkCounts) begin(ctx context.Context, tx *db.Tx) error {
	if b.begun {
		return nil
	}
	b.begun = true
	restore, err := tx.SuspendTriggers(ctx, "persons_count_insert", "households_count_insert", "persons_rollup_insert")
	if err != nil {
		return apperr.Wrap(err, "suspend count triggers")
	}
	if err := tx.DeferForeignKeys(ctx); err != nil {
		return apperr.Wrap(err, "defer foreign keys")
	}
	b.restore, b.active = restore, true
	b.persons, b.away, b.hh = map[personCountKey]int{}, map[[2]string]int{}, map[string]int{}
	b.rollup = map[rollupKey]int{}
	return b.suspendIndexes(ctx, tx)
}

// bulkIndexThreshold is the size of load from which rebuilding the person
// indexes beats inserting into them, provided the load at least doubles
// the table (measured on SQLite).
var bulkIndexThreshold = 50000

// bulkAreaThreshold is the size of load from which the change hooks hear
// of it as Bulk, free to rework its whole area.
const bulkAreaThreshold = 20000

// suspendIndexes drops the person indexes for a load that will at least
// double the table. The blind-index index stays: every batch looks its ID
// numbers up in it.
func (b *bulkCounts) suspendIndexes(ctx context.Context, tx *db.Tx) error {
	if b.expected < bulkIndexThreshold {
		return nil
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM persons`).Scan(&n); err != nil {
		return apperr.Wrap(err, "count persons")
	}
	if b.expected < n {
		return nil
	}
	rebuild, err := tx.SuspendIndexes(ctx, "persons", "persons_bidx")
	if err != nil {
		return apperr.Wrap(err, "suspend person indexes")
	}
	b.rebuild = rebuild
	return nil
}

func (b *bulkCounts) person(regPath, resPath string, f *Fields) {
	if !b.active {
		return
	}
	away := regPath != resPath
	b.persons[personCountKey{regPath, f.Sex, f.Status, away}]++
	b.rollup[rollupKey{path: regPath, sex: f.Sex, status: f.Status, birthMonth: month(f.BirthDate),
		deathMonth: month(f.DeathDate), urban: f.HukouType == "non_agricultural",
		married: f.MaritalStatus == "first_married" || f.MaritalStatus == "remarried"}]++
	if away {
		b.away[[2]string{resPath, lcaPath(regPath, resPath)}]++
	}
}

func (b *bulkCounts) household(path string) {
	if b.active {
		b.hh[path]++
	}
}

// lcaPath is the lowest common ancestor of two division paths, as the
// count triggers compute it: the longest equal prefix at a level boundary.
func lcaPath(a, b string) string {
	for _, n := range []int{39, 26, 16, 9, 4} {
		if len(a) >= n && len(b) >= n && a[:n] == b[:n] {
			return a[:n]
		}
	}
	return "/"
}

func (b *bulkCounts) finish(ctx context.Context, tx *db.Tx) error {
	if !b.begun {
		return nil
	}
	if b.active {
		for k, n := range b.persons {
			if _, err := tx.Exec(ctx, db.Upsert("person_counts", "reg_path, sex, status, away", "n",
				[]string{"reg_path", "sex", "status", "away", "n"}), k.regPath, k.sex, k.status, boolInt(k.away), n); err != nil {
				return apperr.Wrap(err, "person counts")
			}
		}
		for k, n := range b.away {
			if _, err := tx.Exec(ctx, db.Upsert("person_away", "res_path, lca_path", "n",
				[]string{"res_path", "lca_path", "n"}), k[0], k[1], n); err != nil {
				return apperr.Wrap(err, "person away counts")
			}
		}
		if err := b.writeRollup(ctx, tx); err != nil {
			return err
		}
		for p, n := range b.hh {
			if _, err := tx.Exec(ctx, db.Upsert("household_counts", "path", "n", []string{"path", "n"}), p, n); err != nil {
				return apperr.Wrap(err, "household counts")
			}
		}
	}
	if b.rebuild != nil {
		if err := b.rebuild(ctx); err != nil {
			return apperr.Wrap(err, "rebuild person indexes")
		}
		// The planner's statistics describe the table before the load.
		if _, err := tx.Exec(ctx, `ANALYZE persons`); err != nil {
			return apperr.Wrap(err, "analyze persons")
		}
	}
	return apperr.Wrap(b.restore(ctx), "restore count triggers")
}

// month is the year and month of a date, as the rollup keeps it.
func month(date string) string {
	if len(date) < 7 {
		return ""
	}
	return date[:7]
}

// writeRollup adds the load's persons to person_rollup, by registered
// division (depth 0), by township (depth 1), by township and birth year
// (depth 2) and by registered division and birth year (depth 3), a hundred
// rows a statement.
func (b *bulkCounts) writeRollup(ctx context.Context, tx *db.Tx) error {
	byTownship, byTownshipYear, byYear := map[rollupKey]int{}, map[rollupKey]int{}, map[rollupKey]int{}
	for k, n := range b.rollup {
		year := k
		year.birthMonth = k.birthMonth[:min(len(k.birthMonth), 4)]
		byYear[year] += n
		k.path = k.path[:min(len(k.path), division.PathLen(division.LevelTownship))]
		byTownship[k] += n
		year.path = k.path
		byTownshipYear[year] += n
	}
	const cols = 9
	const per = 100
	args := make([]any, 0, cols*per)
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		rows := len(args) / cols
		q := `INSERT INTO person_rollup (depth, path, sex, urban, married, status, birth_month, death_month, n) VALUES ` +
			strings.TrimSuffix(strings.Repeat("("+db.Placeholders(cols)+"), ", rows), ", ") +
			` ON CONFLICT (depth, path, sex, urban, married, status, birth_month, death_month) DO UPDATE SET n = person_rollup.n + excluded.n`
		_, err := tx.Exec(ctx, q, args...)
		args = args[:0]
		return apperr.Wrap(err, "person rollup")
	}
	for depth, m := range []map[rollupKey]int{b.rollup, byTownship, byTownshipYear, byYear} {
		for k, n := range m {
			args = append(args, depth, k.path, k.sex, boolInt(k.urban), boolInt(k.married), k.status, k.birthMonth, k.deathMonth, n)
			if len(args) == cols*per {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// idAllocator hands out row ids for bulk inserts. On SQLite the import's
// transaction holds the only write lock, so ids follow the current maximum;
// on PostgreSQL they come from the table's identity sequence.
type idAllocator struct {
	next_ int64
}

func (a *idAllocator) next(ctx context.Context, tx *db.Tx, table string, n int) ([]int64, error) {
	ids := make([]int64, n)
	if tx.Dialect() == db.Postgres {
		rows, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('`+table+`', 'id')) FROM generate_series(1, ?)`, n)
		if err != nil {
			return nil, apperr.Wrap(err, "allocate ids")
		}
		defer rows.Close()
		for i := 0; rows.Next(); i++ {
			if err := rows.Scan(&ids[i]); err != nil {
				return nil, apperr.Wrap(err, "allocate ids")
			}
		}
		return ids, rows.Err()
	}
	if a.next_ == 0 {
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM `+table).Scan(&a.next_); err != nil {
			return nil, apperr.Wrap(err, "allocate ids")
		}
	}
	for i := range ids {
		ids[i] = a.next_
		a.next_++
	}
	return ids, nil
}

// divisionCache looks each division code up once per import, keeping the
// answer, a refusal included.
type divisionCache struct {
	c    db.Conn
	seen map[string]cachedDivision
}

type cachedDivision struct {
	d   division.Division
	err error
}

func newDivisionCache(c db.Conn) *divisionCache {
	return &divisionCache{c: c, seen: map[string]cachedDivision{}}
}

// village returns the village (or group) division code names.
func (dc *divisionCache) village(ctx context.Context, field, label, code string) (division.Division, error) {
	key := field + "|" + code
	if hit, ok := dc.seen[key]; ok {
		return hit.d, hit.err
	}
	d, err := villageDivision(ctx, dc.c, field, label, code, label+"应为12位村（居）委会代码或村民小组代码")
	if apperr.CodeOf(err) == apperr.Internal {
		return d, err // not an answer about the code: do not keep it
	}
	dc.seen[key] = cachedDivision{d, err}
	return d, err
}

// importEnums are the enumerated person fields an import file fills.
var importEnums = map[string]enum{"sex": sexes, "hukou_type": hukouTypes, "marital_status": maritalStatuses,
	"relation": relations, "status": statuses, "kind": eventKinds}

// ImportCode turns a file's value of an enumerated field, its Chinese label
// or its code, into the code. An empty value stays empty.
func ImportCode(field, v string) (string, error) {
	e := importEnums[field]
	if v == "" {
		return "", nil
	}
	for _, o := range e {
		if o.Label == v || o.Value == v {
			return o.Value.(string), nil
		}
	}
	labels := make([]string, len(e))
	for i, o := range e {
		labels[i] = o.Label
	}
	return "", apperr.InvalidField(field, "“"+v+"”无效，可填："+strings.Join(labels, "、"))
}

// HouseholdImport writes many households in the caller's transaction.
type HouseholdImport struct {
	s    *Service
	pr   *auth.Principal
	divs *divisionCache
	seen map[string]int // household number → line of the file
	next map[string]int // village → last number given out in it
	ids  idAllocator

	Inserted int
	FirstID  int64
	LastID   int64
}

// NewHouseholdImport starts a household import on behalf of pr.
func (s *Service) NewHouseholdImport(pr *auth.Principal, c db.Conn) *HouseholdImport {
	return &HouseholdImport{s: s, pr: pr, divs: newDivisionCache(c), seen: map[string]int{}, next: map[string]int{}}
}

// Add checks one household of the file and, when write is set, inserts it.
// An empty number is given the village's next number.
func (hi *HouseholdImport) Add(ctx context.Context, tx *db.Tx, line int, in HouseholdInput, write bool) error {
	in.HHNo, in.Division, in.Address = strings.TrimSpace(in.HHNo), strings.TrimSpace(in.Division), strings.TrimSpace(in.Address)
	if in.HHNo != "" && !hhNoPattern.MatchString(in.HHNo) {
		return apperr.InvalidField("hh_no", "户编号应为 1 到 32 位字母、数字或 -")
	}
	if len([]rune(in.Address)) > 200 {
		return apperr.InvalidField("address", "地址不能超过 200 个字")
	}
	if in.Division == "" {
		return apperr.InvalidField("division", "请填写户所在区划代码")
	}
	d, err := hi.divs.village(ctx, "division", "户所在", in.Division)
	if err != nil {
		return err
	}
	if !hi.pr.Covers(d.Path) {
		return apperr.InvalidField("division", "户所在区划不在您的管辖范围内")
	}
	if in.HHNo != "" {
		if err := hi.checkNumber(ctx, tx, line, in.HHNo); err != nil {
			return err
		}
	}
	if !write {
		return nil
	}
	if in.HHNo == "" {
		if in.HHNo, err = hi.nextNumber(ctx, tx, villageOf(d.Code)); err != nil {
			return err
		}
	}
	return hi.insert(ctx, tx, in, d)
}

func (hi *HouseholdImport) checkNumber(ctx context.Context, tx *db.Tx, line int, no string) error {
	if first, ok := hi.seen[no]; ok {
		return apperr.InvalidField("hh_no", fmt.Sprintf("户编号 %s 与文件第 %d 行重复", no, first))
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM households WHERE hh_no = ?`, no).Scan(&n); err != nil {
		return apperr.Wrap(err, "household number")
	}
	if n > 0 {
		return apperr.InvalidField("hh_no", "户编号 "+no+" 已存在")
	}
	hi.seen[no] = line
	return nil
}

func (hi *HouseholdImport) nextNumber(ctx context.Context, tx *db.Tx, village string) (string, error) {
	n, ok := hi.next[village]
	if !ok {
		first, err := nextHHNo(ctx, tx, village)
		if err != nil {
			return "", err
		}
		n = atoi(strings.TrimPrefix(first, village+"-")) - 1
	}
	for {
		n++
		no := fmt.Sprintf("%s-%04d", village, n)
		if _, taken := hi.seen[no]; !taken {
			hi.next[village] = n
			hi.seen[no] = 0
			return no, nil
		}
	}
}

func (hi *HouseholdImport) insert(ctx context.Context, tx *db.Tx, in HouseholdInput, d division.Division) error {
	ids, err := hi.ids.next(ctx, tx, "households", 1)
	if err != nil {
		return err
	}
	now, by := db.Now(), hi.pr.Username
	if _, err := tx.Exec(ctx, `INSERT INTO households (id, hh_no, division_code, division_path, address, created_at,
		created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ids[0], in.HHNo, d.Code, d.Path, in.Address, now, by, now, by); err != nil {
		return err
	}
	if hi.FirstID == 0 {
		hi.FirstID = ids[0]
	}
	hi.LastID = ids[0]
	hi.Inserted++
	return hi.s.Notify(ctx, tx, Changed{Households: ids})
}

// Journal records the household import as one entry.
func (hi *HouseholdImport) Journal(ctx context.Context, tx *db.Tx, file string, rows int) error {
	return hi.s.journal.Append(ctx, tx, audit.Entry{Action: "household.import", Entity: "household",
		After: map[string]any{"file": file, "rows": rows, "households": hi.Inserted, "first_id": hi.FirstID, "last_id": hi.LastID}})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// PersonByIDNumber finds the person with an ID number within pr's area, by
// the blind index: an import names persons by their ID number.
func (s *Service) PersonByIDNumber(ctx context.Context, c db.Conn, pr *auth.Principal, number string) (id int64, name string, err error) {
	parsed, err := idno.ParseAt(number, s.today())
	if err != nil {
		return 0, "", err
	}
	cond, args := personScope("p", pr)
	err = c.QueryRow(ctx, `SELECT p.id, p.name FROM persons p WHERE p.id_bidx = ? AND `+cond,
		append([]any{s.cipher.BlindIndex(fieldID, parsed.Number)}, args...)...).Scan(&id, &name)
	if err == sql.ErrNoRows {
		return 0, "", apperr.InvalidField(idno.Field, "系统中没有身份证号为 "+idno.Mask(parsed.Number)+" 的人员，或不在您的管辖范围内")
	}
	return id, name, apperr.Wrap(err, "person by id number")
}

// HouseholdByNo finds a household by its number within pr's area.
func (s *Service) HouseholdByNo(ctx context.Context, c db.Conn, pr *auth.Principal, no string) (int64, error) {
	cond, args := db.Subtree("division_path", pr.DivisionPath)
	var id int64
	err := c.QueryRow(ctx, `SELECT id FROM households WHERE hh_no = ? AND `+cond, append([]any{no}, args...)...).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, apperr.InvalidField("household_no", "户编号 "+no+" 不存在或不在您的管辖范围内")
	}
	return id, apperr.Wrap(err, "household by number")
}

// JournalEventImport records that a file of events was loaded; each event
// has its own entry besides.
func (s *Service) JournalEventImport(ctx context.Context, tx *db.Tx, file string, rows int) error {
	return s.journal.Append(ctx, tx, audit.Entry{Action: "event.import", Entity: "person",
		After: map[string]any{"file": file, "rows": rows}})
}
