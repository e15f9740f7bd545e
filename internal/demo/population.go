package demo

import (
	"math/rand/v2"
)

// The population model.
//
// Each household (户) grows from a founding couple: the husband's birth year
// is drawn from founderBands, the wife is 2 years older to 5 years younger,
// they marry at an age typical of their cohort, and the wife bears children
// by the birth rules of the period each birth falls in (no limit before the
// 1970s, the rural "second child if the first is a girl" rule from 1980,
// two children from 2016, three from mid-2021). Then time does its work:
// elderly spouses die (the record is kept as deceased for a recent death,
// otherwise dropped, leaving a widow or widower), a few couples divorce,
// married daughters leave for their husbands' households, and one married
// son may stay with his wife and children, three generations under one
// roof, sometimes with the husband's widowed mother too; when the parents
// are old the son often becomes the head, and they his parents. The
// relation codes follow from who is head.
//
// The founder weights were fitted once, outside the code (a non-negative
// fit of the ages each 5-year band of founders produces against a target
// pyramid, for a reference date in 2025), so that the ages of the whole
// population follow the shape of rural Anhui's registered population: small
// cohorts of young children after 2017, the births of 1962–1975 and
// 1985–1990 as bulges, about 19% aged 60 and over. Household sizes then
// come out as in the countryside: 1 to 7 or more, mean about 3. A much
// later reference date ages the same cohorts.

// Sexes.
const (
	male   uint8 = 0
	female uint8 = 1
)

// Roles of members in the household's family tree, before the head is chosen.
const (
	roleHusband   uint8 = iota // the founding husband (or a founder living alone)
	roleWife                   // the founding wife
	roleKid                    // a child of the founders
	roleKidSpouse              // the spouse of the child who stayed after marrying
	roleGrandkid               // a child of that couple
	roleElder                  // the founding husband's widowed mother
)

// member is a person of a household under construction.
type member struct {
	sex     uint8
	role    uint8
	birth   day
	death   day // set when dead
	dead    bool
	absent  bool // part of the family tree but not in the household (left, dead long ago)
	migrant bool // born outside the county: the ID address code may be another county's
	mother  int  // index into the household's members, -1 for none
	father  int
	rel     string
	marital string
	surname string
}

// founderBands weigh the founding husband's birth year by 5-year band
// starting at founderBand0 (the last band continues for later years, so a
// later reference date still gets young couples). Fitted for 2025.
const founderBand0 = 1920

var founderBands = []float64{
	// 1920 1925 1930 1935 1940 1945 1950 1955 1960 1965 1970 1975 1980 1985 1990 1995 2000
	0.02, 0.1, 0.73, 1.66, 3.15, 4.61, 6.83, 8.15, 10.66, 14.66, 12.98, 8.61, 9.51, 11.82, 5.23, 1.34, 0.15,
}

// cohortShape scales single birth years inside their band: the famine years
// 1959–1961 were small, the years after them large.
func cohortShape(y int) float64 {
	switch {
	case y >= 1959 && y <= 1961:
		return 0.6
	case y >= 1962 && y <= 1965:
		return 1.3
	case y >= 1986 && y <= 1990:
		return 1.15
	}
	return 1
}

// founderYears returns the weighted table of founding husbands' birth years
// for a reference date: husbands are at least 22.
func founderYears(today day, bands []float64) *weighted[int] {
	last := today.year() - 22
	w := &weighted[int]{}
	for y := founderBand0; y <= last; y++ {
		b := min((y-founderBand0)/5, len(bands)-1)
		w.items = append(w.items, y)
		w.weights = append(w.weights, bands[b]/5*cohortShape(y))
	}
	w.prepare()
	return w
}

// model draws households. It holds no database state: the same random
// stream gives the same households.
type model struct {
	r       *rand.Rand
	today   day
	founder *weighted[int]
	sexes   [41][2]float64 // expected and actual boys born so far, by 5-year period since 1900
	drawn   []sexDraw      // children's sexes drawn for the household under construction
	ms      []member       // reused between households
	out     []member
	order   []int
	idx     []int
}

func newModel(r *rand.Rand, today day) *model {
	return &model{r: r, today: today, founder: founderYears(today, founderBands)}
}

func (m *model) chance(p float64) bool { return m.r.Float64() < p }

// uniform returns a day in [lo, hi] (lo when hi < lo).
func (m *model) uniform(lo, hi day) day {
	if hi <= lo {
		return lo
	}
	return lo + day(m.r.IntN(int(hi-lo)+1))
}

// birthIn returns a day of year y, not after today.
func (m *model) birthIn(y int) day {
	lo, hi := dayOf(y, 1, 1), dayOf(y, 12, 31)
	return m.uniform(lo, min(hi, m.today))
}

// interp evaluates a piecewise linear function given by points xs → ys,
// constant beyond both ends.
func interp(x float64, xs, ys []float64) float64 {
	if x <= xs[0] {
		return ys[0]
	}
	for i := 1; i < len(xs); i++ {
		if x <= xs[i] {
			t := (x - xs[i-1]) / (xs[i] - xs[i-1])
			return ys[i-1] + t*(ys[i]-ys[i-1])
		}
	}
	return ys[len(ys)-1]
}

// survival is the chance of a married adult to be alive at an age, roughly
// the rural Chinese life table around 2020.
var survivalAges = []float64{25, 40, 50, 60, 70, 75, 80, 85, 90, 95, 100}
var survival = [2][]float64{
	{1, 0.985, 0.96, 0.90, 0.78, 0.66, 0.50, 0.32, 0.16, 0.06, 0.01},
	{1, 0.992, 0.98, 0.94, 0.86, 0.77, 0.63, 0.45, 0.26, 0.11, 0.03},
}

// married is the share of people ever married by age, rural men marrying
// later and a few of them never.
var marriedAges = [2][]float64{
	{22, 24, 26, 28, 30, 33, 36, 40, 50},
	{20, 22, 24, 26, 28, 30, 35, 40},
}
var marriedShare = [2][]float64{
	{0.05, 0.2, 0.42, 0.6, 0.74, 0.84, 0.89, 0.92, 0.94},
	{0.03, 0.18, 0.42, 0.65, 0.8, 0.9, 0.96, 0.97},
}

func everMarried(sex uint8, age float64) float64 {
	if age < marriedAges[sex][0] {
		return 0
	}
	return interp(age, marriedAges[sex], marriedShare[sex])
}

// marriageAge draws a man's age at marriage by his birth year.
func (m *model) marriageAge(y int) float64 {
	base := 23.0
	switch {
	case y < 1960:
		base = 21.5
	case y < 1980:
		base = 22.5
	case y < 1995:
		base = 23.5
	default:
		base = 24.5
	}
	return base + m.r.Float64()*3 + m.r.Float64()*3 // triangular, mode base+3
}

// spouseBirth returns the birth day of a spouse of someone of sex born on
// b: a wife 2 years older to 5 years younger, mostly 1–3 years younger.
func (m *model) spouseBirth(sex uint8, b day) day {
	gaps := [...]int{-2, -1, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5}
	g := gaps[m.r.IntN(len(gaps))]
	if sex == female {
		g = -g
	}
	s := b + years(float64(g)) + day(m.r.IntN(241)) - 120
	// keep within 5 years either way and not in the future
	s = max(min(s, b+years(5)), b-years(5))
	return min(s, m.today)
}

// boyChance by birth order: a sex ratio at birth about 104 for first
// births and higher for later ones, about 106 overall.
func boyChance(order int) float64 {
	switch order {
	case 1:
		return 0.511
	case 2:
		return 0.528
	default:
		return 0.535
	}
}

// boy decides the sex of a child of birth order born on t. Independent
// draws would let the sex ratio of a few hundred births stray by ±10; the
// chance is nudged instead towards the expected number of boys of the
// 5-year period of the birth, so that even a small demo county shows a
// plausible sex ratio at birth while each family still looks random. Only
// the births of households kept count (see accept).
func (m *model) boy(order int, t day) bool {
	period := min(max((t.year()-1900)/5, 0), len(m.sexes)-1)
	c := m.sexes[period]
	p := boyChance(order)
	boy := m.chance(p + 0.3*(c[0]-c[1]))
	m.drawn = append(m.drawn, sexDraw{period: period, p: p, boy: boy})
	return boy
}

// sexDraw is a child's sex drawn for the household under construction.
type sexDraw struct {
	period int
	p      float64 // the chance of a boy for the birth order
	boy    bool
}

// accept adds the draws of the household returned to the totals: all its
// births, including children who have left (their leaving depends on their
// sex, which the totals must not fight).
func (m *model) accept() {
	for _, d := range m.drawn {
		c := &m.sexes[d.period]
		c[0] += d.p
		if d.boy {
			c[1]++
		}
	}
}

// nextChild is the chance that a woman with order children (the last born
// of them at the time of the candidate birth year y) has another.
func nextChild(order, y int, agri bool, girls int) float64 {
	switch order {
	case 1:
		switch {
		case y < 1972:
			return 0.92
		case y < 1980:
			return 0.8
		case y < 1991:
			if !agri {
				return 0.12
			}
			if girls == 1 {
				return 0.8
			}
			return 0.45
		case y < 2016:
			if !agri {
				return 0.06
			}
			if girls == 1 {
				return 0.8
			}
			return 0.42
		case y < 2021:
			if girls == 1 {
				return 0.5
			}
			return 0.38
		default:
			return 0.35
		}
	case 2:
		switch {
		case y < 1972:
			return 0.8
		case y < 1980:
			return 0.5
		case y < 1991:
			if agri && girls == 2 {
				return 0.3
			}
			if agri {
				return 0.04
			}
			return 0
		case y < 2021:
			return 0
		default:
			return 0.3
		}
	case 3:
		switch {
		case y < 1972:
			return 0.6
		case y < 1980:
			return 0.3
		}
		return 0
	case 4, 5:
		if y < 1975 {
			return 0.4
		}
	}
	return 0
}

// threeChildPolicy is when third children became allowed (2021-05-31).
var threeChildPolicy = dayOf(2021, 6, 1)

// births appends the children of mother and father (indexes into m.ms; the
// father may be -1) married on wed, born to a woman aged 20–42.
func (m *model) births(mother, father int, wed day, agri bool, surname string) {
	if m.chance(0.03) { // childless
		return
	}
	mb := m.ms[mother].birth
	t := wed + m.uniform(240, 900)
	if m.chance(0.2) {
		t = wed + m.uniform(900, 1800)
	}
	latest := mb + years(43) - 1 // the day before her 43rd birthday
	order, girls := 0, 0
	for t <= m.today && t <= latest {
		order++
		sex := male
		if !m.boy(order, t) {
			sex = female
			girls++
		}
		kid := member{sex: sex, role: roleKid, birth: t, mother: mother, father: father, surname: surname}
		if m.ms[mother].role == roleKidSpouse || m.ms[mother].role == roleKid {
			kid.role = roleGrandkid
		}
		m.ms = append(m.ms, kid)
		gap := 1.5 + m.r.Float64()*2
		if m.chance(0.4) {
			gap = 3.5 + m.r.Float64()*3.5
		}
		next := t + years(gap)
		y := next.year()
		p := nextChild(order, y, agri, girls)
		if order == 2 && next < threeChildPolicy && y >= 2021 {
			p = 0
		}
		if !m.chance(p) {
			return
		}
		t = next
	}
}

// household draws one household with at most maxSize members (deceased
// records included), in an order where parents come before their children.
// The slice is reused by the next call. agri says whether the family keeps
// rural birth rules; surname draws the founding husband's surname (the
// village's clans are common).
//
// The founder's birth year is drawn once: a draw that fails (both founders
// dead, say) is redrawn in the same year, so that founderBands weigh the
// households actually produced.
func (m *model) household(maxSize int, agri bool, surname func() string) []member {
	y := m.founder.pick(m.r)
	for range 64 {
		m.drawn = m.drawn[:0]
		if ms := m.try(y, agri, surname); ms != nil && len(ms) <= maxSize {
			m.accept()
			return ms
		}
	}
	return m.single(y, surname)
}

// single draws a one-person household: an elderly widow or widower, or a
// man who never married.
func (m *model) single(y int, surname func() string) []member {
	m.ms = m.ms[:0]
	p := member{sex: male, birth: m.birthIn(y), mother: -1, father: -1, rel: "head", marital: "unmarried", surname: surname()}
	if ageOn(p.birth, m.today) >= 55 && m.chance(0.8) {
		p.marital = "widowed"
		if m.chance(0.6) {
			p.sex = female
		}
	}
	m.ms = append(m.ms, p)
	return m.ms
}

// try draws a household, or returns nil to ask for another draw when the
// one drawn is impossible (both founders dead and no one left).
func (m *model) try(y int, agri bool, surname func() string) []member {
	m.ms = m.ms[:0]
	hb := m.birthIn(y)
	ha := yearsBetween(hb, m.today)
	if ha < 22 {
		return nil
	}
	sur := surname()
	bachelor := 0.05
	if ha < 30 {
		bachelor = 0.04
	}
	if m.chance(bachelor) {
		m.ms = append(m.ms, member{sex: male, role: roleHusband, birth: hb, mother: -1, father: -1,
			rel: "head", marital: "unmarried", surname: sur})
		return m.ms
	}
	wb := m.spouseBirth(male, hb)
	wed := hb + years(m.marriageAge(hb.year()))
	lo := max(hb+years(22), wb+years(20))
	if wed < lo {
		wed = lo + m.uniform(0, 365)
	}
	if lo > m.today {
		return nil
	}
	if wed > m.today {
		wed = m.uniform(lo, m.today)
	}
	marital := "first_married"
	if ha > 35 && m.chance(0.035) {
		marital = "remarried"
	}
	m.ms = append(m.ms,
		member{sex: male, role: roleHusband, birth: hb, mother: -1, father: -1, marital: marital, surname: sur},
		member{sex: female, role: roleWife, birth: wb, mother: -1, father: -1, marital: marital,
			surname: surnames.pick(m.r), migrant: m.chance(0.3)})
	m.births(1, 0, wed, agri, sur)

	// Deaths of the founders, and divorce.
	hDead := m.chance(1 - interp(ha, survivalAges, survival[male]))
	wDead := m.chance(1 - interp(yearsBetween(wb, m.today), survivalAges, survival[female]))
	if hDead && wDead {
		return nil
	}
	if hDead {
		hDead = m.die(0)
	}
	if wDead {
		wDead = m.die(1)
	}
	if hDead {
		m.ms[1].marital = "widowed"
	}
	if wDead {
		m.ms[0].marital = "widowed"
	}
	divorced := !hDead && !wDead && ha >= 25 && ha < 62 && m.chance(0.04)
	if divorced {
		gone := 1
		if m.chance(0.3) {
			gone = 0
		}
		m.ms[gone].absent = true
		m.ms[1-gone].marital = "divorced"
	}

	// Children: unmarried ones stay; married daughters leave for their
	// husbands' households; one married son (rarely a daughter whose husband
	// marries in) may stay with his family.
	nKids := len(m.ms)
	stay := -1
	var stayCands []int
	for k := 2; k < nKids; k++ {
		kid := &m.ms[k]
		kid.marital = "unmarried"
		if !m.chance(everMarried(kid.sex, yearsBetween(kid.birth, m.today))) {
			continue
		}
		if kid.sex == male || m.chance(0.04) {
			stayCands = append(stayCands, k)
		}
		kid.absent = true
	}
	if len(stayCands) > 0 && m.chance(stayChance(ha)) {
		stay = stayCands[m.r.IntN(len(stayCands))]
		if !m.marryIn(stay, agri) {
			stay = -1
		}
	}

	// A widowed mother of the husband living with the family.
	if !hDead && !divorced && ha >= 40 && ha < 75 && m.chance(0.1) {
		mb := hb - years(20+m.r.Float64()*18)
		if age := yearsBetween(mb, m.today); age < 100 && m.chance(interp(age, survivalAges, survival[female])) {
			m.ms = append(m.ms, member{sex: female, role: roleElder, birth: mb, mother: -1, father: -1,
				marital: "widowed", surname: surnames.pick(m.r), migrant: m.chance(0.2)})
			m.ms[0].mother = len(m.ms) - 1
		}
	}
	return m.finish(stay)
}

// stayChance is the chance that a married son stays in his parents'
// household, by the father's age.
func stayChance(fatherAge float64) float64 {
	return interp(fatherAge, []float64{45, 55, 65, 75}, []float64{0.45, 0.55, 0.65, 0.7})
}

// die marks member i dead. A recent death (within 3 years) is kept as a
// deceased record; older deaths drop the person from the household. The
// death falls after the birth of the person's last child. It reports false
// when the person cannot have died (a child born too recently).
func (m *model) die(i int) bool {
	p := &m.ms[i]
	if !m.chance(interp(yearsBetween(p.birth, m.today), keepAges, keepDeceased)) {
		p.absent = true
		return true
	}
	lo := max(m.today-years(3), p.birth+1)
	for k := range m.ms {
		if (m.ms[k].mother == i || m.ms[k].father == i) && m.ms[k].birth >= lo {
			lo = m.ms[k].birth + 1
		}
	}
	if lo >= m.today {
		return false
	}
	p.dead, p.death = true, m.uniform(lo, m.today-1)
	return true
}

// keepDeceased is, by the age they would have now, the share of dead
// founders whose record is still in the household: those who died in the
// last years. The older, the more of the dead died recently, so that most
// deceased records are of old people.
var (
	keepAges     = []float64{30, 50, 60, 70, 80, 90}
	keepDeceased = []float64{0.02, 0.035, 0.085, 0.15, 0.21, 0.25}
)

// marryIn brings the spouse of the married child k into the household with
// their children. It reports false when k cannot have married yet.
func (m *model) marryIn(k int, agri bool) bool {
	kid := &m.ms[k]
	sb := m.spouseBirth(kid.sex, kid.birth)
	husband, wife := kid.birth, sb
	if kid.sex == female {
		husband, wife = sb, kid.birth
	}
	lo := max(husband+years(22), wife+years(20))
	if lo > m.today {
		return false
	}
	wed := max(lo, husband+years(m.marriageAge(husband.year())))
	if wed > m.today {
		wed = m.uniform(lo, m.today)
	}
	kid.absent, kid.marital = false, "first_married"
	spouse := member{sex: 1 - kid.sex, role: roleKidSpouse, birth: sb, mother: -1, father: -1,
		marital: "first_married", surname: surnames.pick(m.r), migrant: m.chance(0.3)}
	m.ms = append(m.ms, spouse)
	si := len(m.ms) - 1
	mother, father, sur := si, k, m.ms[k].surname
	if m.ms[k].sex == female {
		mother, father = k, si
		if m.chance(0.5) {
			sur = m.ms[si].surname
		}
	}
	first := len(m.ms)
	m.births(mother, father, wed, agri, sur)
	for g := first; g < len(m.ms); g++ {
		gk := &m.ms[g]
		gk.marital = "unmarried"
		if m.chance(everMarried(gk.sex, yearsBetween(gk.birth, m.today))) {
			gk.absent = true // married away; no fourth generation
		}
	}
	return true
}

// finish chooses the head, sets relations and drops absent members,
// renumbering parent links. stay is the married child who stayed, or -1.
func (m *model) finish(stay int) []member {
	ms := m.ms
	present := func(i int) bool { return i >= 0 && !ms[i].absent }
	alive := func(i int) bool { return present(i) && !ms[i].dead }
	husbandAge := yearsBetween(ms[0].birth, m.today)

	head := -1
	if stay >= 0 {
		p := interp(husbandAge, []float64{55, 65, 75, 85}, []float64{0.1, 0.35, 0.6, 0.8})
		if !alive(0) {
			p += 0.3
		}
		if m.chance(p) {
			head = stay
		}
	}
	if head < 0 {
		switch {
		case alive(0) && alive(1) && m.chance(0.07):
			head = 1
		case alive(0), present(0) && m.chance(0.5):
			head = 0
		case alive(1):
			head = 1
		case stay >= 0:
			head = stay
		}
	}
	if head < 0 { // only children left: the eldest adult one heads the household
		for k := 2; k < len(ms); k++ {
			if ms[k].role == roleKid && alive(k) && yearsBetween(ms[k].birth, m.today) >= 18 {
				head = k
				break
			}
		}
	}
	if head < 0 {
		return nil
	}
	for i := range ms {
		ms[i].rel = relation(ms[head].role, ms[i].role)
	}
	ms[head].rel = "head"

	// Drop absent members, put an elder first (she is the husband's
	// mother, and mothers precede their children) and renumber links.
	order := m.order[:0]
	for i := range ms {
		if ms[i].role == roleElder && !ms[i].absent {
			order = append(order, i)
		}
	}
	for i := range ms {
		if ms[i].role != roleElder && !ms[i].absent {
			order = append(order, i)
		}
	}
	m.order = order
	idx := m.idx[:0]
	for range ms {
		idx = append(idx, -1)
	}
	m.idx = idx
	for n, i := range order {
		idx[i] = n
	}
	out := m.out[:0]
	for _, i := range order {
		p := ms[i]
		if p.mother >= 0 {
			p.mother = idx[p.mother]
		}
		if p.father >= 0 {
			p.father = idx[p.father]
		}
		out = append(out, p)
	}
	m.out = out
	alive0 := false
	for i := range out {
		alive0 = alive0 || !out[i].dead
	}
	if !alive0 {
		return nil
	}
	return out
}

// relation names a member of role r relative to a head of role h. A head
// who is a child of the founders is the one who stayed after marrying, or
// the eldest when no founder is left.
func relation(h, r uint8) string {
	switch h {
	case roleHusband, roleWife:
		switch r {
		case roleElder:
			if h == roleHusband {
				return "parent"
			}
			return "parent_in_law"
		case roleHusband, roleWife:
			return "spouse"
		case roleKid:
			return "child"
		case roleKidSpouse:
			return "child_in_law"
		case roleGrandkid:
			return "grandchild"
		}
	case roleKid:
		switch r {
		case roleElder:
			return "grandparent"
		case roleHusband, roleWife:
			return "parent"
		case roleKid:
			return "sibling"
		case roleKidSpouse:
			return "spouse"
		case roleGrandkid:
			return "child"
		}
	}
	return "other"
}
