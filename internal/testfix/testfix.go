// Package testfix builds small, real-coded fixtures for tests: a division
// tree of two counties of 六安市 (安徽省) with a few townships and villages
// each, and principals of every role placed in it. Tests use it instead of
// the full embedded NBS data so they do not depend on the build step that
// generates it.
package testfix

import (
	"context"
	"testing"

	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/fieldcrypt"
)

// Real NBS 2023 codes used by the fixture.
const (
	Province  = "34"
	City      = "3415"
	County    = "341523"       // 舒城县
	TownA     = "341523100"    // 城关镇
	VillageA1 = "341523100001" // 东苑社区居委会
	VillageA2 = "341523100202" // 沙埂村委会
	TownB     = "341523101"    // 晓天镇
	VillageB1 = "341523101200" // 龙潭村委会
	VillageB2 = "341523101201" // 方冲村委会
	County2   = "341522"       // 霍邱县
	Town2     = "341522100"    // 城关镇 (霍邱)
	Village2  = "341522100001" // 师部社区
)

var fixture = []struct{ code, name string }{
	{Province, "安徽省"}, {City, "六安市"},
	{County, "舒城县"}, {TownA, "城关镇"}, {VillageA1, "东苑社区居委会"}, {VillageA2, "沙埂村委会"},
	{TownB, "晓天镇"}, {VillageB1, "龙潭村委会"}, {VillageB2, "方冲村委会"},
	{County2, "霍邱县"}, {Town2, "城关镇"}, {Village2, "师部社区"},
}

// Path returns the materialised path of a fixture code.
func Path(code string) string {
	p := "/"
	for _, n := range []int{2, 4, 6, 9, 12, 15} {
		if len(code) < n {
			break
		}
		p += code[:n] + "/"
	}
	return p
}

func level(code string) int {
	switch len(code) {
	case 2:
		return 1
	case 4:
		return 2
	case 6:
		return 3
	case 9:
		return 4
	case 12:
		return 5
	}
	return 6
}

func parent(code string) any {
	switch len(code) {
	case 2:
		return nil
	case 4:
		return code[:2]
	case 6:
		return code[:4]
	case 9:
		return code[:6]
	case 12:
		return code[:9]
	}
	return code[:12]
}

// Divisions inserts the fixture tree.
func Divisions(t testing.TB, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	err := d.Tx(ctx, func(tx *db.Tx) error {
		for _, f := range fixture {
			if _, err := tx.Exec(ctx, `INSERT INTO divisions (code, name, level, parent_code, path, source, valid_from, created_at)
				VALUES (?, ?, ?, ?, ?, 'nbs2023', '2023-06-30', ?)`, f.code, f.name, level(f.code), parent(f.code), Path(f.code), db.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("insert fixture divisions: %v", err)
	}
}

// Principal returns a principal of role bound to division code (not stored as a user).
func Principal(role auth.Role, code string) *auth.Principal {
	return &auth.Principal{UserID: 0, Username: string(role) + "-" + code, Role: role, DivisionCode: code, DivisionPath: Path(code)}
}

// Ctx returns a context carrying Principal(role, code).
func Ctx(role auth.Role, code string) context.Context {
	return auth.WithPrincipal(context.Background(), Principal(role, code))
}

// CLI is the principal of the operator at the command line: a system
// administrator above every division.
func CLI() context.Context {
	return auth.WithPrincipal(context.Background(), auth.Operator("test"))
}

// testKey is the field-encryption key of every test: fixed, so a failing
// test's database can be opened again with it.
var testKey = []byte("0123456789abcdef0123456789abcdef")

// Keys returns the tests' field-encryption keyring and an audit journal
// keyed from it.
func Keys(t testing.TB) (*fieldcrypt.Keyring, *audit.Journal) {
	t.Helper()
	k, err := fieldcrypt.NewKeyring(testKey)
	if err != nil {
		t.Fatal(err)
	}
	j, err := audit.New(k.AuditKey(), audit.AlgHMACSHA256)
	if err != nil {
		t.Fatal(err)
	}
	return k, j
}
