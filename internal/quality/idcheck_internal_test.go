package quality

import (
	"math/rand/v2"
	"testing"
	"time"

	"jisheng/internal/idno"
)

var checkDay = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// reference is the verdict the checker's fast path must reproduce: IDFacts
// for every number.
func reference(number, birth, sex string) (string, string) {
	check, idBirth, idSex := IDFacts(number, checkDay)
	if check != IDOK {
		return RuleIDInvalid, idFaultText[check]
	}
	if m := mismatchText(idBirth, idSex, birth, sex); m != "" {
		return RuleIDMismatch, m
	}
	return "", ""
}

func agree(t *testing.T, c *idChecker, number, birth, sex string) {
	t.Helper()
	rule, detail := c.verdict(number, []byte(birth), []byte(sex))
	wantRule, wantDetail := reference(number, birth, sex)
	if rule != wantRule || string(detail) != wantDetail {
		t.Fatalf("verdict(%q, %q, %q) = %q %q, want %q %q", number, birth, sex, rule, detail, wantRule, wantDetail)
	}
}

func TestIDCheckerAgrees(t *testing.T) {
	c := newIDChecker(checkDay)
	rng := rand.New(rand.NewPCG(1, 2))
	addresses := []string{"341523", "110105", "990101", "810000", "000000", "341522"}
	for i := 0; i < 20000; i++ {
		y := 1790 + rng.IntN(250)
		birth := time.Date(y, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		number := addresses[rng.IntN(len(addresses))] + birth[0:4] + birth[5:7] + birth[8:10] + "123"
		number = withCheck(number)
		switch rng.IntN(6) {
		case 0: // a wrong check character
			number = number[:17] + string("0123456789X"[rng.IntN(11)])
		case 1: // an impossible day
			number = withCheck(number[:12] + "31" + number[14:17])
		case 2: // a typo anywhere
			b := []byte(number)
			b[rng.IntN(18)] = "0123456789Xx "[rng.IntN(13)]
			number = string(b)
		}
		recorded, sex := birth, []string{"male", "female", ""}[rng.IntN(3)]
		if rng.IntN(4) == 0 {
			recorded = ""
		}
		agree(t, c, number, recorded, sex)
	}
	for _, n := range []string{"11010519491231002X", "11010519491231002x", "110105491231002", "", "X", idno.Generate("341523", "2026-11-22", 1)} {
		agree(t, c, n, "1949-12-31", "female")
	}
}

func FuzzIDChecker(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "110105491231002", "34152319900231124X", "341523202611230011"} {
		f.Add(s, "1990-01-01", "male")
	}
	c := newIDChecker(checkDay)
	f.Fuzz(func(t *testing.T, number, birth, sex string) {
		agree(t, c, number, birth, sex)
	})
}
