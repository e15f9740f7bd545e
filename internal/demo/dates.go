package demo

// day is a civil date counted in days since 1970-01-01. The generator works
// on plain day numbers instead of time.Time: it handles tens of millions of
// dates, and integer arithmetic keeps it both fast and exactly reproducible.
type day int32

const daysPerYear = 365.2425

// dayOf returns the day number of a proleptic Gregorian date (H. Hinnant's
// days_from_civil).
func dayOf(y, m, d int) day {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return day(era*146097 + doe - 719468)
}

// civil returns the year, month and day of d (H. Hinnant's civil_from_days).
func (d day) civil() (y, m, dd int) {
	z := int(d) + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	dd = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, dd
}

func (d day) year() int {
	y, _, _ := d.civil()
	return y
}

// String returns "YYYY-MM-DD".
func (d day) String() string {
	y, m, dd := d.civil()
	b := [10]byte{
		byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + m/10), byte('0' + m%10), '-', byte('0' + dd/10), byte('0' + dd%10),
	}
	return string(b[:])
}

// ageOn returns the age in full years on date at of someone born on birth.
func ageOn(birth, at day) int {
	by, bm, bd := birth.civil()
	ay, am, ad := at.civil()
	a := ay - by
	if am < bm || (am == bm && ad < bd) {
		a--
	}
	return a
}

// years returns a span of whole and fractional years as days.
func years(y float64) day { return day(y * daysPerYear) }

// yearsBetween returns the span from a to b in (fractional) years.
func yearsBetween(a, b day) float64 { return float64(b-a) / daysPerYear }
