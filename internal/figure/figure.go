// Package figure holds the arithmetic every reported figure shares, so that
// a percentage on the data-quality page, in a health-service report and in
// the statistics filed upward is rounded the same way (half up, computed in
// integers, domain reference section 6).
package figure

// Percent returns num ÷ den as a percentage rounded half up to two
// decimals (98.255… → 98.26), computed in integers so that no binary
// fraction tips a half the wrong way; nil when den is 0.
func Percent(num, den int) *float64 {
	if den <= 0 {
		return nil
	}
	hundredths := (int64(num)*20000 + int64(den)) / (2 * int64(den))
	v := float64(hundredths) / 100
	return &v
}

// Rate returns num ÷ den × scale rounded half up to decimals places (0–6),
// computed in integers like Percent: Rate(95, 86, 100, 1) is the sex ratio
// 110.5, Rate(births, population, 1000, 2) a rate per thousand. Nil when den
// is 0 or less.
func Rate(num, den, scale int64, decimals int) *float64 {
	if den <= 0 {
		return nil
	}
	unit := int64(1)
	for i := 0; i < decimals; i++ {
		unit *= 10
	}
	n := num * scale * unit
	var units int64
	if n >= 0 {
		units = (2*n + den) / (2 * den)
	} else {
		units = -((-2*n + den) / (2 * den))
	}
	v := float64(units) / float64(unit)
	return &v
}
