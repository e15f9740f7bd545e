package benefit_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/benefit"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/testfix"
)

func TestSweepApplyAndReview(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		father := e.person(t, "张建国", "male", "1966-03-01", nil, nil)
		e.person(t, "张丽", "female", "1990-05-01", nil, &father.ID)
		e.person(t, "张敏", "female", "1993-08-01", nil, &father.ID)
		e.person(t, "年轻人", "male", "1990-01-01", nil, nil)
		sweep := benefit.SweepInput{Program: benefit.JiangFu, Year: 2026}

		res, err := e.svc.Sweep(villageA(), sweep)
		if err != nil {
			t.Fatal(err)
		}
		if res.Added != 1 || res.ToAttest != 1 || res.Date != "2026-12-31" {
			t.Fatalf("first sweep: %+v", res)
		}
		if res, _ = e.svc.Sweep(villageA(), sweep); res.Added != 0 || res.Existing != 1 {
			t.Fatalf("a second sweep found him again: %+v", res)
		}
		_, err = e.svc.Apply(villageA(), benefit.ApplicationInput{Program: benefit.JiangFu, Year: 2026, PersonID: father.ID})
		wantCode(t, err, apperr.Conflict, "")

		queue, total, err := e.svc.Queue(villageA(), benefit.QueueFilter{Mine: true, Page: 1, Size: 20})
		if err != nil || total != 1 || queue[0].Stage != "village_check" || queue[0].Eligible {
			t.Fatalf("village queue: %+v %d %v", queue, total, err)
		}
		c := queue[0]
		if town, n, _ := e.svc.Queue(testfix.Ctx(auth.RoleTownship, testfix.TownA), benefit.QueueFilter{Mine: true, Page: 1, Size: 20}); n != 0 {
			t.Errorf("township queue before the village passed it: %+v", town)
		}
		_, err = e.svc.Review(villageA(), c.ID, benefit.ReviewInput{Action: "approve", Version: c.Version})
		wantCode(t, err, apperr.Conflict, "") // the rules still miss the village's check
		_, err = e.svc.Review(villageB(), c.ID, benefit.ReviewInput{Action: "approve", Version: c.Version})
		wantCode(t, err, apperr.NotFound, "")
		_, err = e.svc.Review(testfix.Ctx(auth.RoleTownship, testfix.TownA), c.ID, benefit.ReviewInput{Action: "approve", Version: c.Version})
		wantCode(t, err, apperr.Forbidden, "")
		_, err = e.svc.Review(villageA(), c.ID, benefit.ReviewInput{Action: "reject", Version: c.Version})
		wantCode(t, err, apperr.Invalid, "reason")

		e.attest(t, villageA(), father.ID, benefit.AttestPolicyCompliant, "yes")
		c, err = e.svc.Review(villageA(), c.ID, benefit.ReviewInput{Action: "recheck", Version: c.Version})
		if err != nil || !c.Eligible || c.AnnualFen != 96000 || c.Stage != "village_check" {
			t.Fatalf("after the check: %+v %v", c, err)
		}
		_, err = e.svc.Review(villageA(), c.ID, benefit.ReviewInput{Action: "approve", Version: c.Version - 1})
		wantCode(t, err, apperr.Conflict, "")
		c, err = e.svc.Review(villageA(), c.ID, benefit.ReviewInput{Action: "approve", Version: c.Version})
		if err != nil || c.Stage != "village_posting" {
			t.Fatalf("approved by the village: %+v %v", c, err)
		}
		if rs, err := e.svc.Reviews(villageA(), c.ID); err != nil || len(rs) != 2 || rs[0].Action != "recheck" || rs[1].Action != "approve" ||
			rs[1].By != "village-"+testfix.VillageA1 {
			t.Errorf("review history: %+v %v", rs, err)
		}
		if dec, err := e.svc.StoredDecisionOf(villageA(), *c.DecisionID); err != nil || !dec.Eligible || len(dec.Reasons) == 0 || len(dec.Params) == 0 {
			t.Errorf("stored decision: %+v %v", dec, err)
		}
		_, err = e.svc.StoredDecisionOf(villageB(), *c.DecisionID)
		wantCode(t, err, apperr.NotFound, "")
		_, err = e.svc.Review(villageA(), c.ID, benefit.ReviewInput{Action: "approve", Version: c.Version})
		wantCode(t, err, apperr.Conflict, "") // a posting ends by itself, not by a click
		postAndClose(t, e, c.ID)

		// An application for a resident who does not qualify starts at the village check with its reasons.
		young, err := e.svc.Apply(villageA(), benefit.ApplicationInput{Program: benefit.JiangFu, Year: 2026, PersonID: father.ID + 3})
		if err != nil || young.Eligible || len(young.Failed) == 0 || young.Source != "application" {
			t.Fatalf("application: %+v %v", young, err)
		}
		young, err = e.svc.Review(villageA(), young.ID, benefit.ReviewInput{Action: "reject", Reason: "未满60周岁", Version: young.Version})
		if err != nil || young.Stage != "rejected" {
			t.Fatalf("rejected: %+v %v", young, err)
		}
		rej, err := e.svc.IssueNotices(villageA(), benefit.NoticeRequest{Kind: benefit.NoticeRejection, Program: benefit.JiangFu, Year: 2026})
		if err != nil || len(rej) != 1 || rej[0].Body.Reasons[0] != "未满60周岁" || len(rej[0].Body.Reasons) < 2 {
			t.Fatalf("rejection notice with its reasons: %+v %v", rej, err)
		}
		_, err = e.svc.Apply(villageB(), benefit.ApplicationInput{Program: benefit.Childcare, Year: 2026, PersonID: father.ID})
		wantCode(t, err, apperr.NotFound, "person_id")
		_, err = e.svc.Apply(villageA(), benefit.ApplicationInput{Program: benefit.JiangFu, Year: 1999, PersonID: father.ID})
		wantCode(t, err, apperr.Invalid, "year")
	})
}

// postAndClose posts village A's list with one candidate, takes an
// objection, settles it, and closes the posting once the window is over.
func postAndClose(t *testing.T, e env, candidate int64) {
	t.Helper()
	in := benefit.PostingInput{Program: benefit.JiangFu, Year: 2026, Level: "village", Division: testfix.VillageA1}
	_, err := e.svc.OpenPosting(villageB(), benefit.PostingInput{Program: benefit.JiangFu, Year: 2026, Level: "village", Division: testfix.VillageA1})
	wantCode(t, err, apperr.NotFound, "division")
	_, err = e.svc.OpenPosting(testfix.Ctx(auth.RoleTownship, testfix.TownA), benefit.PostingInput{Program: benefit.JiangFu,
		Year: 2026, Level: "village", Division: testfix.VillageA1})
	wantCode(t, err, apperr.Forbidden, "")
	p, err := e.svc.OpenPosting(villageA(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Entries) != 1 || p.Entries[0].Name != "张*国" || p.StartsOn != "2026-11-22" || p.EndsOn != "2026-11-28" ||
		p.Entries[0].AnnualFen != 96000 || p.ListVersion != 1 {
		t.Fatalf("posting %+v", p)
	}
	_, err = e.svc.OpenPosting(villageA(), in)
	wantCode(t, err, apperr.Conflict, "")
	pub, err := e.svc.PublicPosting(context.Background(), p.PublicCode)
	if err != nil || pub.Entries[0].CandidateID != 0 || pub.ID != 0 || pub.PublicCode != "" || pub.Entries[0].Name != "张*国" {
		t.Fatalf("public page %+v %v", pub, err)
	}
	var poster bytes.Buffer
	if err := benefit.WritePosterPDF(&poster, pub, "http://x/public/postings/"+p.PublicCode); err != nil {
		t.Fatal(err)
	}
	if text, ok := pdfText(t, poster.Bytes()); ok && (!strings.Contains(text, "张*国") || !strings.Contains(text, "960.00") ||
		strings.Contains(text, "张建国")) {
		t.Errorf("poster PDF:\n%s", text)
	}
	_, err = e.svc.ClosePosting(villageA(), p.ID)
	wantCode(t, err, apperr.Conflict, "") // still within the window
	objection, err := e.svc.RecordObjection(villageA(), p.ID, benefit.ObjectionInput{CandidateID: &candidate, Channel: "phone",
		Anonymous: true, Objector: "should be dropped", Content: "反映其子女情况与登记不符"})
	if err != nil {
		t.Fatal(err)
	}
	if withTickets, _ := e.svc.Posting(villageA(), p.ID); len(withTickets.Tickets) != 1 || !withTickets.Tickets[0].Anonymous ||
		withTickets.Tickets[0].Objector != "" || withTickets.Tickets[0].Status != "open" {
		t.Errorf("objection tickets: %+v", withTickets.Tickets)
	}
	*e.now = e.now.AddDate(0, 0, 7) // 29 November: the window is over
	_, err = e.svc.RecordObjection(villageA(), p.ID, benefit.ObjectionInput{Channel: "visit", Content: "迟到的异议"})
	wantCode(t, err, apperr.Conflict, "")
	_, err = e.svc.ClosePosting(villageA(), p.ID)
	wantCode(t, err, apperr.Conflict, "") // an objection is open
	err = e.svc.SettleObjection(villageA(), objection, benefit.SettleInput{Outcome: "dismissed"})
	wantCode(t, err, apperr.Invalid, "resolution")
	if err := e.svc.SettleObjection(villageA(), objection, benefit.SettleInput{Outcome: "dismissed",
		Resolution: "经入户核实，子女情况与登记一致"}); err != nil {
		t.Fatal(err)
	}
	if p, err = e.svc.ClosePosting(villageA(), p.ID); err != nil || p.Status != "closed" {
		t.Fatalf("close: %+v %v", p, err)
	}
	c, err := e.svc.Candidate(villageA(), candidate)
	if err != nil || c.Stage != "township_review" {
		t.Fatalf("after the posting: %+v %v", c, err)
	}
}

func TestUpheldObjectionForcesANewPosting(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		a := e.person(t, "甲父", "male", "1960-01-01", nil, nil)
		e.person(t, "甲女", "female", "1990-01-01", nil, &a.ID)
		b := e.person(t, "乙父", "male", "1961-01-01", nil, nil)
		e.person(t, "乙子", "male", "1991-01-01", nil, &b.ID)
		var ids []int64
		for _, p := range []int64{a.ID, b.ID} {
			e.attest(t, villageA(), p, benefit.AttestPolicyCompliant, "yes")
			c, err := e.svc.Apply(villageA(), benefit.ApplicationInput{Program: benefit.JiangFu, Year: 2026, PersonID: p})
			if err != nil {
				t.Fatal(err)
			}
			if c, err = e.svc.Review(villageA(), c.ID, benefit.ReviewInput{Action: "approve", Version: c.Version}); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		in := benefit.PostingInput{Program: benefit.JiangFu, Year: 2026, Level: "village", Division: testfix.VillageA1}
		p, err := e.svc.OpenPosting(villageA(), in)
		if err != nil || len(p.Entries) != 2 {
			t.Fatalf("posting: %+v %v", p, err)
		}
		obj, err := e.svc.RecordObjection(villageA(), p.ID, benefit.ObjectionInput{CandidateID: &ids[1], Channel: "letter",
			Objector: "村民王某", Content: "其子已迁出且另有生育"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SettleObjection(villageA(), obj, benefit.SettleInput{Outcome: "upheld", Resolution: "经核实异议属实"}); err != nil {
			t.Fatal(err)
		}
		if c, _ := e.svc.Candidate(villageA(), ids[1]); c.Stage != "village_check" {
			t.Errorf("the objected candidate is at %s", c.Stage)
		}
		if old, _ := e.svc.Posting(villageA(), p.ID); old.Status != "superseded" {
			t.Errorf("old posting %s", old.Status)
		}
		if _, err := e.svc.PublicPosting(context.Background(), p.PublicCode); err == nil {
			t.Error("a superseded posting is still public")
		}
		p2, err := e.svc.OpenPosting(villageA(), in)
		if err != nil || p2.ListVersion != 2 || len(p2.Entries) != 1 || p2.Entries[0].Name != "甲*" {
			t.Fatalf("second version: %+v %v", p2, err)
		}
	})
}

// pdfText is a PDF's text as poppler's pdftotext reads it; ok is false
// where pdftotext is not installed.
func pdfText(t *testing.T, b []byte) (text string, ok bool) {
	t.Helper()
	tool, ok := testfix.OptionalTool(t, "pdftotext", "poppler-utils poppler-data")
	if !ok {
		return "", false
	}
	file := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-layout", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out), true
}
