// Package demo builds a realistic synthetic population in a county's real
// villages: households with heads, spouses, children, grandparents and the
// occasional daughter-in-law, grandchild or sibling; names, valid ID numbers
// and phone numbers stored encrypted exactly as the registry stores them;
// births, deaths and people living away from their registered village. It
// feeds demonstrations, training and the benchmark of a million-person
// county, and is deterministic: the same options give the same rows.
//
// The population model is in population.go; this file validates the
// options, lays out the villages and writes the rows. Writing is the slow
// part, so one goroutine draws and encrypts batches of households while the
// caller's goroutine inserts the previous ones with prepared multi-row
// INSERTs, 100,000 persons per transaction. Ids are assigned here
// (after the highest existing one), so a child's mother_id and father_id go
// into the same INSERT as the child, with no second pass.
package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
	"jisheng/internal/division"
	"jisheng/internal/fieldcrypt"
	"jisheng/internal/idno"
)

// Options says what to generate.
type Options struct {
	County  string // 6-digit county code whose villages (level 5 divisions under it) are already loaded
	Persons int    // number of persons to generate (exact, deceased records included)
	Seed    int64
	Today   string // "YYYY-MM-DD" reference date for ages; "" means today in China
	// Progress, if not nil, is called with the number of persons written so
	// far about every 1% of the total, and once at the end.
	Progress func(done, total int)
}

// Stats describes what Generate wrote, for the caller's audit entry and summary.
type Stats struct {
	Persons     int // rows in persons, deceased included
	Households  int
	Deceased    int // status 'deceased'
	LivingAway  int // alive, residence village differs from registered village
	Births      int // born in the year up to Today
	Villages    int // villages that received at least one household
	BoysUnder5  int // alive, under 5 on Today
	GirlsUnder5 int
	Duration    time.Duration
	Services    ServiceStats // health-service cases written by Services
}

// MaxPersons bounds Options.Persons: about the largest county in China.
const MaxPersons = 5_000_000

// Creator is written to created_by and updated_by of every generated row.
const Creator = "demo"

const (
	fieldID    = "id_number" // encryption context and blind-index domain, as in the registry
	fieldPhone = "phone"

	batchPersons = 10_000 // persons per batch handed from the generator to the writer

	// Rows per INSERT statement. Besides saving per-statement work, a
	// multi-row INSERT matters on SQLite because the count triggers on
	// persons and households make it keep a statement journal (a copy of
	// every page the statement changes) for each INSERT: a page that
	// several rows touch is copied once. A million persons on SQLite took
	// 92 s of CPU with 1 row per statement, 70 s with 20, 55 s with 50, 63 s
	// with 100 and three times as long with 200.
	insertRowsPerStmt = 50
)

// Transactions of 100,000 persons, and a 64 MiB SQLite page cache (twice the
// default) during the load. Every person lands at random places in two
// indexes (name and ID blind index), so each commit writes most of their
// pages to the WAL and a checkpoint copies them again: the fewer commits,
// the less is written. A million persons in the 426 villages of 舒城县 on 2
// cores took 85–90 s with 10,000 persons per transaction, 50 s with 20,000
// and 37–41 s with 100,000 (before the count triggers existed); the page
// cache mattered less (32 MiB 51 s, 128 MiB 37–41 s, 256 MiB no better).
// Variables so that tests can shrink them.
var (
	txPersons = 100_000
	cacheKiB  = 64 << 10
)

// Generate fills the county's villages with a synthetic population of
// o.Persons persons. It refuses a county whose villages are not loaded and
// a county that already has persons or households, so running it twice
// does not duplicate anything. It writes no audit entry; the caller records
// one for the whole generation with the returned Stats.
//
// Generate assigns ids itself and expects no other writer meanwhile (it is
// run from the command line). If it fails part way, it deletes what it had
// written, so the county is empty again.
func Generate(ctx context.Context, d *db.DB, c fieldcrypt.FieldCipher, o Options) (Stats, error) {
	start := time.Now()
	today, err := checkOptions(&o)
	if err != nil {
		return Stats{}, err
	}
	cty, err := loadCounty(ctx, d.Reader(), o.County)
	if err != nil {
		return Stats{}, err
	}
	if err := checkEmpty(ctx, d.Reader(), cty.path); err != nil {
		return Stats{}, err
	}
	var firstPerson, firstHH int64
	r := d.Reader()
	if err := r.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM persons`).Scan(&firstPerson); err != nil {
		return Stats{}, apperr.Wrap(err, "max person id")
	}
	if err := r.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM households`).Scan(&firstHH); err != nil {
		return Stats{}, apperr.Wrap(err, "max household id")
	}

	g := newGenerator(o, today, cty, c, firstPerson, firstHH)
	parent := ctx
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	batches := make(chan *batch, 2)
	genErr := make(chan error, 1)
	go func() {
		defer close(batches)
		genErr <- g.run(ctx, batches)
	}()

	w := writer{d: d, now: db.Now(), total: o.Persons, progress: o.Progress, txPersons: txPersons, cacheKiB: cacheKiB}
	werr := w.run(ctx, batches)
	cancel() // stops the generator if the writer failed
	for range batches {
	}
	err = join(werr, <-genErr)
	if err == nil {
		err = w.finish(parent)
	}
	w.untune(context.WithoutCancel(parent))
	if err != nil {
		if w.wrote {
			if cerr := cleanup(context.WithoutCancel(parent), d, firstPerson, g.nextPerson, firstHH, g.nextHH); cerr != nil {
				return Stats{}, &apperr.Error{Code: apperr.Internal,
					Message: "演示数据生成失败，且未能删除已写入的部分数据，请从备份恢复或清理该区县的人员和户数据",
					Err:     errors.Join(err, cerr)}
			}
		}
		if parent.Err() != nil {
			return Stats{}, &apperr.Error{Code: apperr.Unavailable, Message: "演示数据生成已取消，未留下任何数据", Err: err}
		}
		return Stats{}, err
	}
	if o.Progress != nil {
		o.Progress(o.Persons, o.Persons)
	}
	g.stats.Duration = time.Since(start)
	return g.stats, nil
}

// join returns the only non-nil error as it is, or several joined.
func join(errs ...error) error {
	var nn []error
	for _, e := range errs {
		if e != nil {
			nn = append(nn, e)
		}
	}
	if len(nn) == 1 {
		return nn[0]
	}
	return errors.Join(nn...)
}

// checkOptions validates o and returns the reference date.
func checkOptions(o *Options) (day, error) {
	o.County = strings.TrimSpace(o.County)
	if len(o.County) != 6 || division.CodeLevel(o.County) != division.LevelCounty {
		return 0, apperr.InvalidField("county", "区县代码应为6位数字，如 341523")
	}
	if o.Persons < 1 || o.Persons > MaxPersons {
		return 0, apperr.InvalidField("persons", fmt.Sprintf("人数应在 1 到 %d 之间", MaxPersons))
	}
	if o.Today == "" {
		o.Today = time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	}
	t, err := time.Parse(time.DateOnly, o.Today)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return 0, apperr.InvalidField("today", "参考日期应为 2000-01-01 至 2100-12-31 之间的 YYYY-MM-DD 格式日期")
	}
	return dayOf(t.Year(), int(t.Month()), t.Day()), nil
}

// county is the loaded division tree the population lives in.
type county struct {
	code, name, path string
	towns            []string // township names
	villages         []village
}

type village struct {
	code, path string
	town       int    // index into county.towns
	label      string // how addresses name it: 东苑社区居委会, 龙潭村
	community  bool   // 社区居委会 (village code 001–199) rather than 村委会
	groups     int    // 村民小组 used in addresses
}

func loadCounty(ctx context.Context, c db.Conn, code string) (county, error) {
	notLoaded := apperr.InvalidField("county", fmt.Sprintf("区县 %s 尚未导入区划，请先运行 jisheng init --county %s", code, code))
	cd, err := division.Get(ctx, c, code)
	if apperr.CodeOf(err) == apperr.NotFound {
		return county{}, notLoaded
	}
	if err != nil {
		return county{}, err
	}
	if cd.Level != division.LevelCounty {
		return county{}, notLoaded
	}
	cty := county{code: cd.Code, name: cd.Name, path: cd.Path}
	towns, err := division.Children(ctx, c, code)
	if err != nil {
		return county{}, err
	}
	for _, t := range towns {
		if t.ValidTo != "" || t.Level != division.LevelTownship {
			continue
		}
		vs, err := division.Children(ctx, c, t.Code)
		if err != nil {
			return county{}, err
		}
		ti := len(cty.towns)
		added := false
		for _, v := range vs {
			if v.ValidTo != "" || v.Level != division.LevelVillage {
				continue
			}
			n, _ := strconv.Atoi(v.Code[9:12])
			cty.villages = append(cty.villages, village{code: v.Code, path: v.Path, town: ti,
				label: villageLabel(v.Name), community: n >= 1 && n <= 199})
			added = true
		}
		if added {
			cty.towns = append(cty.towns, t.Name)
		}
	}
	if len(cty.villages) == 0 {
		return county{}, notLoaded
	}
	return cty, nil
}

// villageLabel shortens "沙埂村委会" and "沙埂村民委员会" to "沙埂村" as
// addresses write it; residents' committees keep their full names.
func villageLabel(name string) string {
	for _, suffix := range []string{"村民委员会", "村委会"} {
		if s, ok := strings.CutSuffix(name, suffix); ok {
			return s + "村"
		}
	}
	return name
}

// checkEmpty refuses a county that already has persons (registered or
// living there) or households.
func checkEmpty(ctx context.Context, c db.Conn, path string) error {
	lo, hi := db.SubtreeRange(path)
	for _, q := range []string{
		`SELECT id FROM persons WHERE reg_path >= ? AND reg_path < ? LIMIT 1`,
		`SELECT id FROM persons WHERE res_path >= ? AND res_path < ? LIMIT 1`,
		`SELECT id FROM households WHERE division_path >= ? AND division_path < ? LIMIT 1`,
	} {
		var id int64
		err := c.QueryRow(ctx, q, lo, hi).Scan(&id)
		if err == nil {
			return apperr.InvalidField("county", "该区县已有人员数据，演示数据只能生成在空库中")
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return apperr.Wrap(err, "check county is empty")
		}
	}
	return nil
}

// cleanup deletes the rows of a failed generation: ids in (first, next].
func cleanup(ctx context.Context, d *db.DB, firstPerson, lastPerson, firstHH, lastHH int64) error {
	return d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM persons WHERE id > ? AND id <= ?`, firstPerson, lastPerson); err != nil {
			return apperr.Wrap(err, "remove generated persons")
		}
		_, err := tx.Exec(ctx, `DELETE FROM households WHERE id > ? AND id <= ?`, firstHH, lastHH)
		return apperr.Wrap(err, "remove generated households")
	})
}

// batch is a run of households with their persons, ready to insert.
type batch struct {
	households []hhRow
	persons    []personRow
}

type hhRow struct {
	id                      int64
	no, code, path, address string
}

type personRow struct {
	id                         int64
	name, sex, birth           string
	idEnc                      []byte
	idBidx, idMask             string
	phoneEnc                   []byte
	phoneMask                  string
	ethnicity, hukou, marital  string
	reg, regPath, res, resPath string
	household                  int64
	relation                   string
	mother, father             int64 // 0 for none
	deceased                   bool
	death                      string
}

// generator turns the model's households into rows. It runs on its own
// goroutine and owns all random state.
type generator struct {
	o                  Options
	r                  *rand.Rand
	m                  *model
	today              day
	cty                county
	cipher             fieldcrypt.FieldCipher
	addrs              []string // ID address codes: [0] the county, then other counties of its province
	nearby             int      // addrs[1:1+nearby] are in the same city
	seqs               map[seqKey][2]uint16
	stats              Stats
	weights            []float64 // per village
	clans              [][2]string
	hhCount            []int   // households so far per village
	towns              [][]int // village indexes by township
	communities        []int   // indexes of the 社区居委会
	houseNo            [][]int
	nextPerson, nextHH int64 // last id assigned
}

type seqKey struct {
	addr  int32
	birth day
}

func newGenerator(o Options, today day, cty county, c fieldcrypt.FieldCipher, firstPerson, firstHH int64) *generator {
	r := rand.New(rand.NewPCG(uint64(o.Seed), 0x6a6973686e67)) // "jisheng"
	g := &generator{o: o, r: r, m: newModel(r, today), today: today, cty: cty, cipher: c,
		seqs: map[seqKey][2]uint16{}, nextPerson: firstPerson, nextHH: firstHH}
	g.addrs = append(g.addrs, cty.code)
	var far []string
	for i := 0; i+6 <= len(countyCodes); i += 6 {
		code := countyCodes[i : i+6]
		switch {
		case code == cty.code || code[:2] != cty.code[:2]:
		case code[:4] == cty.code[:4]:
			g.addrs = append(g.addrs, code)
		default:
			far = append(far, code)
		}
	}
	g.nearby = len(g.addrs) - 1
	g.addrs = append(g.addrs, far...)
	n := len(cty.villages)
	g.weights = make([]float64, n)
	g.clans = make([][2]string, n)
	g.hhCount = make([]int, n)
	g.houseNo = make([][]int, n)
	g.towns = make([][]int, len(cty.towns))
	for i, v := range cty.villages {
		g.towns[v.town] = append(g.towns[v.town], i)
		if v.community {
			g.communities = append(g.communities, i)
		}
		if v.community {
			g.weights[i] = 1.2 + 1.3*r.Float64()
		} else {
			g.weights[i] = 0.6 + 0.8*r.Float64()
			cty.villages[i].groups = 4 + r.IntN(12)
		}
		g.clans[i] = [2]string{surnames.pick(r), surnames.pick(r)}
		g.houseNo[i] = make([]int, max(1, cty.villages[i].groups))
	}
	return g
}

// quotas splits the persons over the villages by weight, exactly.
func (g *generator) quotas() []int {
	total := 0.0
	for _, w := range g.weights {
		total += w
	}
	q := make([]int, len(g.weights))
	left := g.o.Persons
	for i, w := range g.weights {
		q[i] = int(float64(g.o.Persons) * w / total)
		left -= q[i]
	}
	for i := 0; left > 0; i = (i + 1) % len(q) {
		q[i]++
		left--
	}
	return q
}

// run generates every village's households and sends them in batches.
func (g *generator) run(ctx context.Context, out chan<- *batch) error {
	b := &batch{}
	for vi, quota := range g.quotas() {
		v := &g.cty.villages[vi]
		if quota > 0 {
			g.stats.Villages++
		}
		clan := g.clans[vi]
		clanShare := 0.42
		if v.community {
			clanShare = 0.12
		}
		surname := func() string {
			x := g.r.Float64()
			switch {
			case x < clanShare*2/3:
				return clan[0]
			case x < clanShare:
				return clan[1]
			}
			return surnames.pick(g.r)
		}
		for quota > 0 {
			hukou := g.hukou(v.community)
			ms := g.m.household(quota, hukou == "agricultural", surname)
			quota -= len(ms)
			if err := g.emit(b, vi, hukou, ms); err != nil {
				return err
			}
			if len(b.persons) >= batchPersons {
				select {
				case out <- b:
				case <-ctx.Done():
					return nil
				}
				b = &batch{}
			}
		}
	}
	if len(b.households) > 0 {
		select {
		case out <- b:
		case <-ctx.Done():
		}
	}
	return nil
}

// hukou draws a household's registration type: mostly agricultural in a
// 村委会, mostly urban in a 社区居委会.
func (g *generator) hukou(community bool) string {
	x := g.r.Float64()
	if community {
		switch {
		case x < 0.45:
			return "non_agricultural"
		case x < 0.8:
			return "resident"
		}
		return "agricultural"
	}
	switch {
	case x < 0.86:
		return "agricultural"
	case x < 0.96:
		return "resident"
	}
	return "non_agricultural"
}

var groupNumerals = split("一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十")

var otherEthnicities = split("满族 蒙古族 壮族 土家族 苗族")

// emit turns a drawn household into rows appended to b.
func (g *generator) emit(b *batch, vi int, hukou string, ms []member) error {
	v := &g.cty.villages[vi]
	g.nextHH++
	g.hhCount[vi]++
	hhID := g.nextHH
	group := 0
	if v.groups > 0 {
		group = g.r.IntN(v.groups)
	}
	g.houseNo[vi][group]++
	addr := g.cty.name + g.cty.towns[v.town] + v.label
	if v.groups > 0 {
		addr += groupNumerals[group%len(groupNumerals)] + "组"
	}
	addr += " " + strconv.Itoa(g.houseNo[vi][group]) + " 号"
	b.households = append(b.households, hhRow{id: hhID, no: fmt.Sprintf("%s-%04d", v.code, g.hhCount[vi]),
		code: v.code, path: v.path, address: addr})
	g.stats.Households++

	eth := "汉族"
	if g.r.Float64() < 0.006 {
		eth = "回族"
	}
	away := g.awayVillage(vi)
	base := g.nextPerson
	first := len(b.persons)
	for i := range ms {
		p := &ms[i]
		g.nextPerson++
		row := personRow{id: g.nextPerson, sex: "male", birth: p.birth.String(), ethnicity: eth, hukou: hukou,
			marital: p.marital, reg: v.code, regPath: v.path, res: v.code, resPath: v.path, household: hhID,
			relation: p.rel}
		if p.sex == female {
			row.sex = "female"
		}
		if p.mother >= 0 {
			row.mother = base + int64(p.mother) + 1
		}
		if p.father >= 0 {
			row.father = base + int64(p.father) + 1
		}
		if p.migrant && g.r.Float64() < 0.004 {
			row.ethnicity = otherEthnicities[g.r.IntN(len(otherEthnicities))]
		}
		row.name = g.name(p, b.persons[first:])
		if err := g.idNumber(&row, p); err != nil {
			return err
		}
		age := ageOn(p.birth, g.today)
		if p.dead {
			row.deceased, row.death = true, p.death.String()
			g.stats.Deceased++
		} else {
			if away >= 0 && g.r.Float64() < awayChance(age) {
				a := &g.cty.villages[away]
				row.res, row.resPath = a.code, a.path
				g.stats.LivingAway++
			}
			if g.r.Float64() < phoneChance(age) {
				phone := mobile(g.r)
				enc, err := g.cipher.Encrypt(fieldPhone, phone)
				if err != nil {
					return apperr.Wrap(err, "encrypt phone")
				}
				row.phoneEnc, row.phoneMask = enc, fieldcrypt.MaskPhone(phone)
			}
			if age < 5 {
				if p.sex == male {
					g.stats.BoysUnder5++
				} else {
					g.stats.GirlsUnder5++
				}
			}
		}
		if p.birth > g.today-365 {
			g.stats.Births++
		}
		b.persons = append(b.persons, row)
	}
	g.stats.Persons += len(ms)
	return nil
}

// name draws a name not used by an earlier member of the household.
func (g *generator) name(p *member, earlier []personRow) string {
	y := p.birth.year()
	for range 8 {
		n := p.surname + givenName(g.r, p.sex, y)
		dup := false
		for i := range earlier {
			dup = dup || earlier[i].name == n
		}
		if !dup {
			return n
		}
	}
	return p.surname + givenName(g.r, p.sex, y) // a namesake in the household: rare, and it happens
}

// awayVillage picks where the household's members who live away live:
// another village of the same township about half the time, otherwise a
// 社区居委会 (the county seat and town centres, where the work is) or any
// village of another township. -1 when the county has one village.
func (g *generator) awayVillage(vi int) int {
	vs := g.cty.villages
	if len(vs) < 2 {
		return -1
	}
	town := g.towns[vs[vi].town]
	if len(town) > 1 && g.r.Float64() < 0.5 {
		j := town[g.r.IntN(len(town)-1)]
		if j == vi {
			j = town[len(town)-1]
		}
		return j
	}
	if len(g.communities) > 0 && g.r.Float64() < 0.6 {
		if j := g.communities[g.r.IntN(len(g.communities))]; j != vi {
			return j
		}
	}
	j := g.r.IntN(len(vs) - 1)
	if j >= vi {
		j++
	}
	return j
}

// awayChance is the chance of a living person of age to live outside the
// registered village: mostly young adults working in town.
func awayChance(age int) float64 {
	switch {
	case age < 6:
		return 0.05
	case age < 18:
		return 0.07
	case age < 25:
		return 0.22
	case age < 45:
		return 0.18
	case age < 60:
		return 0.08
	}
	return 0.03
}

// phoneChance is the chance of a living person of age to have a mobile
// number on record: none for children, few for the very old.
func phoneChance(age int) float64 {
	switch {
	case age < 18:
		return 0
	case age < 56:
		return 0.8
	case age < 66:
		return 0.62
	case age < 76:
		return 0.42
	case age < 86:
		return 0.18
	}
	return 0.05
}

// idNumber gives row a unique ID number: the county's address code, or for
// some who were born elsewhere another county's of the same province (most
// of them in the same city).
func (g *generator) idNumber(row *personRow, p *member) error {
	ai := 0
	if p.migrant && len(g.addrs) > 1 {
		if g.nearby > 0 && g.r.Float64() < 0.7 {
			ai = 1 + g.r.IntN(g.nearby)
		} else {
			ai = 1 + g.r.IntN(len(g.addrs)-1)
		}
	}
	for tries := 0; tries < len(g.addrs); tries++ {
		if seq, ok := g.seq(int32(ai), p.birth, p.sex); ok {
			number := idno.Generate(g.addrs[ai], row.birth, seq)
			enc, err := g.cipher.Encrypt(fieldID, number)
			if err != nil {
				return apperr.Wrap(err, "encrypt id number")
			}
			row.idEnc, row.idBidx, row.idMask = enc, g.cipher.BlindIndex(fieldID, number), idno.Mask(number)
			return nil
		}
		ai = (ai + 1) % len(g.addrs)
	}
	return apperr.New(apperr.Internal, "无法为演示人员分配不重复的公民身份号码")
}

// seq returns an unused sequence number for an address code and birth date:
// odd for men (500 of them), even for women (499, 000 being unused), in an
// order scrambled per date so numbers do not all start at 001.
func (g *generator) seq(addr int32, birth day, sex uint8) (int, bool) {
	k := seqKey{addr, birth}
	c := g.seqs[k]
	capacity := [2]uint16{500, 499}[sex]
	n := c[sex]
	if n >= capacity {
		return 0, false
	}
	c[sex]++
	g.seqs[k] = c
	h := uint64(addr)<<32 ^ uint64(uint32(birth))
	h ^= h >> 31
	h *= 0x9e3779b97f4a7c15
	h ^= h >> 29
	s := (int(h%uint64(capacity)) + int(n)) % int(capacity)
	if sex == male {
		return 2*s + 1, true
	}
	return 2*s + 2, true
}
