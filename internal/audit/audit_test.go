package audit_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var testKey = []byte("0123456789abcdef0123456789abcdef")

func officer(name, path string) context.Context {
	return auth.WithPrincipal(context.Background(), &auth.Principal{
		UserID: 7, Username: name, Role: auth.RoleVillage, DivisionCode: "x", DivisionPath: path,
	})
}

func appendN(t *testing.T, d *db.DB, j *audit.Journal, ctx context.Context, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		err := d.Tx(ctx, func(tx *db.Tx) error {
			return j.Append(ctx, tx, audit.Entry{Action: "person.update", Entity: "person", EntityID: fmt.Sprint(i),
				Before: map[string]any{"name": "甲"}, After: map[string]any{"name": "乙"}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func mustVerify(t *testing.T, j *audit.Journal, d *db.DB) audit.VerifyResult {
	t.Helper()
	res, err := j.Verify(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestVerifyFindsFirstBrokenEntry(t *testing.T) {
	tamper := []struct {
		name       string
		sql        string
		wantBroken int64
		wantReason string
	}{
		{"intact", ``, 0, ""},
		{"field altered", `UPDATE audit_log SET after_json = '{"name":"丙"}' WHERE seq = 3`, 3, "内容与其哈希不符"},
		{"user altered", `UPDATE audit_log SET username = 'other' WHERE seq = 2`, 2, "内容与其哈希不符"},
		{"middle deleted", `DELETE FROM audit_log WHERE seq = 4`, 4, "缺失"},
		{"first deleted", `DELETE FROM audit_log WHERE seq = 1`, 1, "缺失"},
		{"tail deleted", `DELETE FROM audit_log WHERE seq = 5`, 5, "末尾缺少记录"},
		{"hash recomputed without key", `UPDATE audit_log SET hash = 'ab' WHERE seq = 5`, 5, "内容与其哈希不符"},
	}
	for _, tc := range tamper {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				j, _ := audit.New(testKey, audit.AlgHMACSHA256)
				appendN(t, d, j, officer("li", "/34/"), 5)
				if tc.sql != "" {
					err := d.Tx(context.Background(), func(tx *db.Tx) error {
						_, err := tx.Exec(context.Background(), tc.sql)
						return err
					})
					if err != nil {
						t.Fatal(err)
					}
				}
				res := mustVerify(t, j, d)
				if tc.wantBroken == 0 {
					if !res.OK || res.Checked != 5 {
						t.Fatalf("intact chain: %+v, want ok with 5 checked", res)
					}
					return
				}
				if res.OK || res.BrokenSeq != tc.wantBroken || !strings.Contains(res.Reason, tc.wantReason) {
					t.Fatalf("got %+v, want broken at %d with reason containing %q", res, tc.wantBroken, tc.wantReason)
				}
			})
		})
	}
}

func TestVerifyWithOtherKeyFails(t *testing.T) {
	d := dbtest.SQLite(t)
	j, _ := audit.New(testKey, audit.AlgHMACSM3)
	appendN(t, d, j, officer("li", "/34/"), 2)
	if res := mustVerify(t, j, d); !res.OK {
		t.Fatalf("SM3 chain should verify: %+v", res)
	}
	other, _ := audit.New([]byte("another key of thirty-two bytes!"), audit.AlgHMACSM3)
	if res := mustVerify(t, other, d); res.OK || res.BrokenSeq != 1 {
		t.Fatalf("verification with another key: %+v, want broken at 1", res)
	}
}

func TestEntryRollsBackWithItsChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		j, _ := audit.New(testKey, audit.AlgHMACSHA256)
		ctx := officer("li", "/34/")
		failure := errors.New("change failed after audit")
		err := d.Tx(ctx, func(tx *db.Tx) error {
			if err := j.Append(ctx, tx, audit.Entry{Action: "person.create", Entity: "person", EntityID: "1"}); err != nil {
				return err
			}
			return failure
		})
		if !errors.Is(err, failure) {
			t.Fatalf("err = %v", err)
		}
		res := mustVerify(t, j, d)
		if !res.OK || res.Checked != 0 || res.HeadSeq != 0 {
			t.Fatalf("after rollback: %+v, want empty intact journal", res)
		}
	})
}

func TestAppendWithoutPrincipalIsRefused(t *testing.T) {
	d := dbtest.SQLite(t)
	j, _ := audit.New(testKey, audit.AlgHMACSHA256)
	err := d.Tx(context.Background(), func(tx *db.Tx) error {
		return j.Append(context.Background(), tx, audit.Entry{Action: "x", Entity: "y", EntityID: "1"})
	})
	if err == nil {
		t.Fatal("append without a principal succeeded")
	}
}

func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		j, _ := audit.New(testKey, audit.AlgHMACSHA256)
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				ctx := officer(fmt.Sprintf("u%d", w), "/34/")
				for i := 0; i < 5; i++ {
					errs <- d.Tx(ctx, func(tx *db.Tx) error {
						return j.Append(ctx, tx, audit.Entry{Action: "a", Entity: "e", EntityID: fmt.Sprint(i)})
					})
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if res := mustVerify(t, j, d); !res.OK || res.Checked != 40 {
			t.Fatalf("after 40 concurrent appends: %+v", res)
		}
	})
}

func TestListIsScopedAndFiltered(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		j, _ := audit.New(testKey, audit.AlgHMACSHA256)
		appendN(t, d, j, officer("east", "/34/3415/341523/341523100/341523100201/"), 3)
		appendN(t, d, j, officer("west", "/34/3415/341523/341523101/341523101201/"), 2)
		ctx := context.Background()
		list := func(p *auth.Principal, f audit.Filter) ([]audit.View, int) {
			t.Helper()
			f.Page, f.Size = 1, 2
			items, total, err := audit.List(ctx, d.Reader(), p, f)
			if err != nil {
				t.Fatal(err)
			}
			return items, total
		}
		township := &auth.Principal{Role: auth.RoleCounty, DivisionPath: "/34/3415/341523/341523100/"}
		items, total := list(township, audit.Filter{})
		if total != 3 || len(items) != 2 || items[0].Username != "east" || items[0].Seq != 3 {
			t.Fatalf("township view: total %d items %+v", total, items)
		}
		if items[0].ActionName == "" || string(items[0].After) != `{"name":"乙"}` {
			t.Fatalf("view fields: %+v", items[0])
		}
		admin := &auth.Principal{Role: auth.RoleSysadmin, DivisionPath: "/34/3415/341523/"}
		if _, total := list(admin, audit.Filter{}); total != 5 {
			t.Fatalf("sysadmin total = %d, want 5", total)
		}
		if _, total := list(admin, audit.Filter{User: "west"}); total != 2 {
			t.Fatalf("user filter total = %d, want 2", total)
		}
		if _, total := list(admin, audit.Filter{Entity: "person", EntityID: "1"}); total != 2 {
			t.Fatalf("record filter total = %d, want 2", total)
		}
		if _, total := list(admin, audit.Filter{From: "2000-01-01", To: "2000-12-31"}); total != 0 {
			t.Fatalf("date filter total = %d, want 0", total)
		}
		if _, _, err := audit.List(ctx, d.Reader(), admin, audit.Filter{From: "2026-13-01", Page: 1, Size: 1}); err == nil {
			t.Fatal("bad date accepted")
		}
	})
}
