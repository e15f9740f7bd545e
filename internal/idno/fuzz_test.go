package idno

import (
	"errors"
	"testing"

	"jisheng/internal/apperr"
)

// FuzzParse checks that Parse never panics, that every rejection is an
// *apperr.Error on id_number, and that every accepted number is normalised:
// it re-parses to itself, has a correct check character, and agrees with its
// own fields.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"11010519491231002X", "11010519491231002x", "440524188001010014",
		"110105491231002", " 110105491231002 ", "110105194912310021",
		"11010519900230002", "１１０１０５１９４９１２３１００２Ｘ", "", "X",
		"830000199001010011", "000000000000000000", "99999999999999999X",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseAt(s, fixedNow)
		if err != nil {
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != apperr.Invalid || ae.Field != Field || ae.Message == "" {
				t.Fatalf("ParseAt(%q) returned a malformed error %#v", s, err)
			}
			return
		}
		if len(id.Number) != 18 || CheckChar(id.Number[:17]) != id.Number[17] {
			t.Fatalf("ParseAt(%q) accepted %q with a wrong check character", s, id.Number)
		}
		again, err := ParseAt(id.Number, fixedNow)
		if err != nil {
			t.Fatalf("accepted number %q does not re-parse: %v", id.Number, err)
		}
		if again.Number != id.Number || again.BirthDate != id.BirthDate || again.Sex != id.Sex || again.AddressCode != id.AddressCode || again.Upgraded {
			t.Fatalf("re-parse of %q differs: %+v vs %+v", id.Number, again, id)
		}
		if id.Number[:6] != id.AddressCode || id.Number[6:14] != id.BirthDate.Format("20060102") {
			t.Fatalf("fields of %q disagree with the number: %+v", id.Number, id)
		}
		if !Looks(id.Number) {
			t.Fatalf("Looks(%q) = false for an accepted number", id.Number)
		}
		if len(Mismatch(id, string(id.Sex), id.BirthDateString())) != 0 {
			t.Fatalf("Mismatch reports a number disagreeing with itself: %q", id.Number)
		}
	})
}
