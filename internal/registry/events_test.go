package registry_test

import (
	"context"
	"strings"
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/registry"
	"jisheng/internal/testfix"
)

func countyCtx() context.Context { return testfix.Ctx(auth.RoleCounty, testfix.County) }

func (e env) event(t *testing.T, ctx context.Context, in registry.EventInput) registry.Event {
	t.Helper()
	ev, err := e.svc.RecordEvent(ctx, in)
	if err != nil {
		t.Fatalf("%s on %d: %v", in.Kind, in.PersonID, err)
	}
	return ev
}

func (e env) person(t *testing.T, ctx context.Context, name, sex, birth, reg, res string) registry.Person {
	t.Helper()
	return e.create(t, ctx, registry.PersonInput{Fields: registry.Fields{Name: name, Sex: sex, BirthDate: birth,
		RegisteredDivision: reg, ResidenceDivision: res}})
}

func (e env) state(t *testing.T, ctx context.Context, id int64, date string) registry.PersonState {
	t.Helper()
	st, err := e.svc.PersonStateAt(ctx, id, date)
	if err != nil {
		t.Fatalf("state of %d on %q: %v", id, date, err)
	}
	return st
}

// refused checks that err is an invalid-input error about field whose
// message contains sub.
func refused(t *testing.T, what string, err error, code apperr.Code, field, sub string) {
	t.Helper()
	ae := apperr.As(err)
	if err == nil || ae.Code != code || ae.Field != field || !strings.Contains(ae.Message, sub) {
		t.Errorf("%s: err %v, want %s %q containing %q", what, err, code, field, sub)
	}
}

func scalar(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.Reader().QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBirthEvent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := villageA()
		mother := e.person(t, ctx, "陈芳", "female", "1990-03-03", testfix.VillageA1, "")
		father := e.person(t, ctx, "刘强", "male", "1988-04-04", testfix.VillageA1, "")
		birth := func(name, date string) registry.EventInput {
			return registry.EventInput{Kind: registry.KindBirth, Date: date, EventDetails: registry.EventDetails{
				Name: name, Sex: "male", MotherID: &mother.ID, FatherID: &father.ID, Place: "舒城县医院",
				Division: testfix.VillageA1, Ethnicity: "汉族"}}
		}
		second := e.event(t, ctx, birth("刘二", "2022-08-08"))
		first := e.event(t, ctx, birth("刘一", "2019-05-05"))
		for _, c := range []struct {
			ev    registry.Event
			order int
		}{{first, 1}, {second, 2}} {
			p, err := e.svc.Get(ctx, c.ev.PersonID)
			if err != nil || p.BirthOrder == nil || *p.BirthOrder != c.order || p.Status != "alive" || p.MaritalStatus != "unmarried" {
				t.Fatalf("child %s: %+v, %v", c.ev.Details.Name, p, err)
			}
			if c.ev.Kind != "birth" || c.ev.KindLabel != "出生" || !c.ev.Effective || c.ev.DivisionName == "" {
				t.Errorf("event view %+v", c.ev)
			}
		}

		fix := e.event(t, ctx, registry.EventInput{PersonID: first.PersonID, Kind: registry.KindBirth, Date: "2019-05-06",
			Corrects: &first.ID, EventDetails: registry.EventDetails{Sex: "female", Note: "出生医学证明日期有误"}})
		child, _ := e.svc.Get(ctx, first.PersonID)
		if child.BirthDate != "2019-05-06" || child.Sex != "female" || child.Name != "刘一" || fix.Details.Place != "舒城县医院" {
			t.Errorf("corrected birth: %+v / %+v", child.Fields, fix.Details)
		}
		evs, err := e.svc.PersonEvents(ctx, first.PersonID)
		if err != nil || len(evs) != 2 || evs[0].Effective || evs[0].CorrectedBy == nil || evs[0].CorrectedBy.ID != fix.ID || !evs[1].Effective {
			t.Fatalf("events after correction: %+v %v", evs, err)
		}
		if st := e.state(t, ctx, first.PersonID, "2019-05-05"); st.Exists {
			t.Errorf("exists the day before the corrected birth date: %+v", st)
		}

		_, err = e.svc.RecordEvent(ctx, registry.EventInput{PersonID: second.PersonID, Kind: registry.KindVoid, Corrects: &second.ID,
			EventDetails: registry.EventDetails{Note: "误登"}})
		refused(t, "void a birth", err, apperr.Invalid, "kind", "出生事件不能作废")
		_, err = e.svc.RecordEvent(ctx, birth("刘三", "2026-11-23"))
		refused(t, "future birth", err, apperr.Invalid, "date", "不能晚于今天")
		_, err = e.svc.RecordEvent(ctx, birth("", "2024-01-01"))
		refused(t, "no name", err, apperr.Invalid, "name", "姓名")
		outside := birth("刘四", "2024-01-01")
		outside.Division = testfix.VillageB1
		_, err = e.svc.RecordEvent(ctx, outside)
		refused(t, "outside the area", err, apperr.Invalid, "division", "管辖范围")
		early := birth("刘五", "1989-01-01")
		_, err = e.svc.RecordEvent(ctx, early)
		refused(t, "born before the mother", err, apperr.Invalid, "mother_id", "母亲的出生日期应早于本人")

		persons, events := scalar(t, d, `SELECT COUNT(*) FROM persons`), scalar(t, d, `SELECT COUNT(*) FROM person_events`)
		if persons != 4 || events != 3 {
			t.Errorf("%d persons, %d events after refusals; want 4 and 3", persons, events)
		}
		actions := countRows(t, d, `SELECT action, COUNT(*) FROM audit_log GROUP BY action`)
		if actions != "event.correct|1|\nevent.record|2|\nperson.create|4|" {
			t.Errorf("audit actions: %s", actions)
		}
	})
}

func TestMarriageChangesBothSpouses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := testfix.Ctx(auth.RoleTownship, testfix.TownA)
		var notified [][]int64
		e.svc.OnChange(func(_ context.Context, _ *db.Tx, ch registry.Changed) error {
			notified = append(notified, ch.Persons)
			return nil
		})
		he := e.person(t, ctx, "张伟", "male", "1985-01-01", testfix.VillageA1, "")
		she := e.person(t, ctx, "李娜", "female", "1987-02-02", testfix.VillageA2, "")
		other := e.person(t, ctx, "王强", "male", "1986-03-03", testfix.VillageA1, "")
		far := e.person(t, countyCtx(), "赵敏", "female", "1986-03-03", testfix.VillageB1, "")

		wed := e.event(t, ctx, registry.EventInput{PersonID: he.ID, Kind: registry.KindFirstMarriage, Date: "2015-10-01",
			EventDetails: registry.EventDetails{SpouseID: &she.ID}})
		if wed.RelatedID == nil || *wed.RelatedID != she.ID || wed.RelatedName != "李娜" {
			t.Errorf("marriage view %+v", wed)
		}
		if len(notified) == 0 || len(notified[len(notified)-1]) != 2 {
			t.Errorf("hook saw %v, want both spouses", notified)
		}
		for _, c := range []struct {
			id, spouse int64
		}{{he.ID, she.ID}, {she.ID, he.ID}} {
			st := e.state(t, ctx, c.id, "")
			if st.MaritalStatus != "first_married" || st.SpouseID == nil || *st.SpouseID != c.spouse || st.SpouseName == "" {
				t.Errorf("after marriage %d: %+v", c.id, st)
			}
		}
		herEvents, _ := e.svc.PersonEvents(ctx, she.ID)
		if len(herEvents) != 1 || herEvents[0].Role != "spouse" || herEvents[0].PersonName != "张伟" {
			t.Errorf("her events %+v", herEvents)
		}

		refusals := []struct {
			name, field, sub string
			in               registry.EventInput
		}{
			{"married again", "kind", "已婚", registry.EventInput{PersonID: he.ID, Kind: registry.KindRemarriage, Date: "2016-01-01",
				EventDetails: registry.EventDetails{SpouseName: "钱梅"}}},
			{"same sex", "spouse_id", "异性", registry.EventInput{PersonID: other.ID, Kind: registry.KindFirstMarriage, Date: "2016-01-01",
				EventDetails: registry.EventDetails{SpouseID: &he.ID}}},
			{"spouse outside the area", "spouse_id", "管辖范围", registry.EventInput{PersonID: other.ID, Kind: registry.KindFirstMarriage,
				Date: "2016-01-01", EventDetails: registry.EventDetails{SpouseID: &far.ID}}},
			{"spouse married already", "spouse_id", "配偶 李娜", registry.EventInput{PersonID: other.ID, Kind: registry.KindFirstMarriage,
				Date: "2016-01-01", EventDetails: registry.EventDetails{SpouseID: &she.ID}}},
			{"self", "spouse_id", "本人", registry.EventInput{PersonID: other.ID, Kind: registry.KindFirstMarriage, Date: "2016-01-01",
				EventDetails: registry.EventDetails{SpouseID: &other.ID}}},
			{"no spouse", "spouse_id", "配偶", registry.EventInput{PersonID: other.ID, Kind: registry.KindFirstMarriage, Date: "2016-01-01"}},
			{"divorce of the unmarried", "kind", "不是已婚", registry.EventInput{PersonID: other.ID, Kind: registry.KindDivorce, Date: "2016-01-01"}},
			{"before birth", "date", "出生日期", registry.EventInput{PersonID: other.ID, Kind: registry.KindFirstMarriage, Date: "1980-01-01",
				EventDetails: registry.EventDetails{SpouseName: "钱梅"}}},
			{"widowed, spouse alive", "date", "没有死亡记录", registry.EventInput{PersonID: he.ID, Kind: registry.KindWidowed, Date: "2016-01-01"}},
		}
		for _, r := range refusals {
			_, err := e.svc.RecordEvent(ctx, r.in)
			refused(t, r.name, err, apperr.Invalid, r.field, r.sub)
		}

		split := e.event(t, ctx, registry.EventInput{PersonID: he.ID, Kind: registry.KindDivorce, Date: "2019-04-04"})
		if split.RelatedID == nil || *split.RelatedID != she.ID {
			t.Errorf("divorce names the spouse: %+v", split)
		}
		for _, pid := range []int64{he.ID, she.ID} {
			if st := e.state(t, ctx, pid, ""); st.MaritalStatus != "divorced" || st.SpouseID != nil {
				t.Errorf("after divorce %d: %+v", pid, st)
			}
			if st := e.state(t, ctx, pid, "2017-01-01"); st.MaritalStatus != "first_married" || st.SpouseID == nil {
				t.Errorf("as of 2017 %d: %+v", pid, st)
			}
		}
		e.event(t, ctx, registry.EventInput{PersonID: she.ID, Kind: registry.KindRemarriage, Date: "2021-01-01",
			EventDetails: registry.EventDetails{SpouseName: "孙亮"}})
		if st := e.state(t, ctx, she.ID, ""); st.MaritalStatus != "remarried" || st.SpouseName != "孙亮" {
			t.Errorf("after remarriage: %+v", st)
		}

		// Voiding the marriage would leave the divorce without a marriage.
		_, err := e.svc.RecordEvent(ctx, registry.EventInput{PersonID: he.ID, Kind: registry.KindVoid, Corrects: &wed.ID,
			EventDetails: registry.EventDetails{Note: "误登"}})
		refused(t, "void a marriage with a later divorce", err, apperr.Invalid, "", "2019-04-04 的离婚记录冲突")
		// Moving the divorce earlier is fine; the states follow.
		e.event(t, ctx, registry.EventInput{PersonID: he.ID, Kind: registry.KindDivorce, Date: "2016-06-06", Corrects: &split.ID,
			EventDetails: registry.EventDetails{Note: "日期有误"}})
		if st := e.state(t, ctx, she.ID, "2017-01-01"); st.MaritalStatus != "divorced" {
			t.Errorf("her state after the corrected divorce: %+v", st)
		}
		_, err = e.svc.RecordEvent(ctx, registry.EventInput{PersonID: he.ID, Kind: registry.KindDivorce, Date: "2016-07-07",
			Corrects: &split.ID, EventDetails: registry.EventDetails{Note: "再次更正"}})
		refused(t, "correct a corrected event", err, apperr.Invalid, "corrects", "已被更正")
	})
}

func TestDeathCorrectAndVoid(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := villageA()
		p := e.person(t, ctx, "周老", "male", "1940-01-01", testfix.VillageA1, "")
		q := e.person(t, ctx, "吴某", "female", "1950-01-01", testfix.VillageA1, "")
		death := e.event(t, ctx, registry.EventInput{PersonID: p.ID, Kind: registry.KindDeath, Date: "2024-02-02",
			EventDetails: registry.EventDetails{Cause: "病故", Place: "家中"}})
		got, _ := e.svc.Get(ctx, p.ID)
		if got.Status != "deceased" || got.DeathDate != "2024-02-02" || got.Version != p.Version+1 {
			t.Fatalf("after death: %+v", got)
		}
		o, _ := e.svc.Overview(ctx, testfix.VillageA1)
		if o.Persons != 1 || o.Deceased != 1 {
			t.Errorf("overview after death: %+v", o)
		}
		_, err := e.svc.RecordEvent(ctx, registry.EventInput{PersonID: p.ID, Kind: registry.KindLeave, Date: "2024-03-03",
			EventDetails: registry.EventDetails{Place: "广东"}})
		refused(t, "event after death", err, apperr.Invalid, "date", "死亡")
		_, err = e.svc.RecordEvent(ctx, registry.EventInput{PersonID: p.ID, Kind: registry.KindDeath, Corrects: &death.ID, Date: "2024-01-01"})
		refused(t, "correction without a reason", err, apperr.Invalid, "note", "原因")
		_, err = e.svc.RecordEvent(ctx, registry.EventInput{PersonID: q.ID, Kind: registry.KindDeath, Corrects: &death.ID, Date: "2024-01-01",
			EventDetails: registry.EventDetails{Note: "x"}})
		refused(t, "correct another person's event", err, apperr.Invalid, "corrects", "不是该人员")

		fix := e.event(t, ctx, registry.EventInput{PersonID: p.ID, Kind: registry.KindDeath, Corrects: &death.ID, Date: "2024-01-01",
			EventDetails: registry.EventDetails{Note: "死亡证明日期"}})
		if fix.Details.Cause != "病故" {
			t.Errorf("correction inherits the cause: %+v", fix.Details)
		}
		if got, _ := e.svc.Get(ctx, p.ID); got.DeathDate != "2024-01-01" {
			t.Errorf("corrected death date %s", got.DeathDate)
		}
		void := e.event(t, ctx, registry.EventInput{PersonID: p.ID, Kind: registry.KindVoid, Corrects: &fix.ID,
			EventDetails: registry.EventDetails{Note: "人员健在，误报死亡"}})
		got, _ = e.svc.Get(ctx, p.ID)
		if got.Status != "alive" || got.DeathDate != "" || void.Date != "2024-01-01" {
			t.Errorf("after void: %+v / %+v", got.Fields, void)
		}
		_, err = e.svc.RecordEvent(ctx, registry.EventInput{PersonID: p.ID, Kind: registry.KindDeath, Corrects: &void.ID, Date: "2024-01-01",
			EventDetails: registry.EventDetails{Note: "x"}})
		refused(t, "correct a void", err, apperr.Invalid, "corrects", "作废记录不能再更正")
		evs, _ := e.svc.PersonEvents(ctx, p.ID)
		effective := 0
		for _, ev := range evs {
			if ev.Effective {
				effective++
			}
		}
		if len(evs) != 3 || effective != 0 || evs[0].CorrectedBy == nil || evs[0].CorrectedBy.CreatedBy == "" {
			t.Errorf("history %+v", evs)
		}

		// An imported person who died: events before the recorded death date
		// are fine, after it refused.
		old := e.create(t, ctx, registry.PersonInput{Fields: registry.Fields{Name: "郑老", Sex: "male", BirthDate: "1930-01-01",
			RegisteredDivision: testfix.VillageA1, MaritalStatus: "first_married", Status: "deceased", DeathDate: "2020-01-01"}})
		e.event(t, ctx, registry.EventInput{PersonID: old.ID, Kind: registry.KindWidowed, Date: "2010-01-01"})
		if st := e.state(t, ctx, old.ID, "2019-12-31"); st.Status != "alive" {
			t.Errorf("imported deceased before the death date: %+v", st)
		}
		_, err = e.svc.RecordEvent(ctx, registry.EventInput{PersonID: old.ID, Kind: registry.KindLeave, Date: "2021-01-01",
			EventDetails: registry.EventDetails{Place: "广东"}})
		refused(t, "after a recorded death date", err, apperr.Invalid, "date", "已于 2020-01-01 死亡")
	})
}

func TestEventScopeAndDivisions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := villageA()
		p := e.person(t, ctx, "冯某", "male", "1990-01-01", testfix.VillageA1, "")
		ctxB := testfix.Ctx(auth.RoleVillage, testfix.VillageB1)
		_, err := e.svc.RecordEvent(ctxB, registry.EventInput{PersonID: p.ID, Kind: registry.KindLeave, Date: "2020-01-01",
			EventDetails: registry.EventDetails{Place: "广东"}})
		refused(t, "record outside the area", err, apperr.NotFound, "", "人员不存在")
		_, err = e.svc.PersonEvents(ctxB, p.ID)
		refused(t, "list outside the area", err, apperr.NotFound, "", "人员不存在")
		_, err = e.svc.PersonStateAt(ctxB, p.ID, "2020-01-01")
		refused(t, "state outside the area", err, apperr.NotFound, "", "人员不存在")

		cases := []struct {
			name, field, sub string
			in               registry.EventInput
		}{
			{"other county", "division", "本县", registry.EventInput{Kind: registry.KindTransfer, Date: "2020-01-01",
				EventDetails: registry.EventDetails{Division: testfix.Village2}}},
			{"township", "division", "村（居）委会", registry.EventInput{Kind: registry.KindArrive, Date: "2020-01-01",
				EventDetails: registry.EventDetails{Division: testfix.TownB}}},
			{"unknown", "residence_division", "不存在", registry.EventInput{Kind: registry.KindTransfer, Date: "2020-01-01",
				EventDetails: registry.EventDetails{Division: testfix.VillageA2, ResidenceDivision: "341523100999"}}},
			{"no place", "place", "流出去向", registry.EventInput{Kind: registry.KindLeave, Date: "2020-01-01"}},
			{"bad kind", "kind", "事件类型无效", registry.EventInput{Kind: "marriage", Date: "2020-01-01"}},
			{"bad date", "date", "YYYY-MM-DD", registry.EventInput{Kind: registry.KindLeave, Date: "2020-02-30",
				EventDetails: registry.EventDetails{Place: "广东"}}},
			{"void without target", "corrects", "作废", registry.EventInput{Kind: registry.KindVoid}},
			{"birth on a person", "person_id", "出生事件会新建人员", registry.EventInput{Kind: registry.KindBirth, Date: "2020-01-01"}},
		}
		for _, c := range cases {
			c.in.PersonID = p.ID
			_, err := e.svc.RecordEvent(ctx, c.in)
			refused(t, c.name, err, apperr.Invalid, c.field, c.sub)
		}
		// A village officer may move a person of their village to another
		// township's village; the person then leaves their area.
		e.event(t, ctx, registry.EventInput{PersonID: p.ID, Kind: registry.KindTransfer, Date: "2020-01-01",
			EventDetails: registry.EventDetails{Division: testfix.VillageB1}})
		if _, err := e.svc.Get(ctx, p.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("moved person still visible to the old village: %v", err)
		}
		if got, err := e.svc.Get(ctxB, p.ID); err != nil || got.RegisteredDivision != testfix.VillageB1 || got.ResidenceDivision != testfix.VillageB1 {
			t.Errorf("moved person for the new village: %+v %v", got.Fields, err)
		}
	})
}

// An importer applies events inside its own transaction; a refused event
// rolls back everything of that transaction.
func TestApplyEventInCallersTransaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := villageA()
		p := e.person(t, ctx, "褚某", "female", "1990-01-01", testfix.VillageA1, "")
		pr := auth.From(ctx)
		before := scalar(t, d, `SELECT COUNT(*) FROM audit_log`)
		err := d.Tx(ctx, func(tx *db.Tx) error {
			if _, err := e.svc.ApplyEvent(ctx, tx, pr, registry.EventInput{PersonID: p.ID, Kind: registry.KindLeave, Date: "2020-01-01",
				EventDetails: registry.EventDetails{Place: "广东"}}); err != nil {
				t.Fatalf("first event: %v", err)
			}
			_, err := e.svc.ApplyEvent(ctx, tx, pr, registry.EventInput{PersonID: p.ID, Kind: registry.KindLeave, Date: "2021-01-01",
				EventDetails: registry.EventDetails{Place: "浙江"}})
			return err
		})
		refused(t, "second leave", err, apperr.Invalid, "kind", "已登记流出")
		if n := scalar(t, d, `SELECT COUNT(*) FROM person_events`); n != 0 {
			t.Errorf("%d events kept after rollback", n)
		}
		if after := scalar(t, d, `SELECT COUNT(*) FROM audit_log`); after != before {
			t.Errorf("audit entries %d → %d after rollback", before, after)
		}
		if st := e.state(t, ctx, p.ID, ""); st.AwayPlace != "" || st.HasEvents {
			t.Errorf("state after rollback: %+v", st)
		}
	})
}

func TestEditGuardedByEvents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := villageA()
		p := e.person(t, ctx, "卫某", "female", "1990-01-01", testfix.VillageA1, "")
		e.event(t, ctx, registry.EventInput{PersonID: p.ID, Kind: registry.KindLeave, Date: "2012-01-01",
			EventDetails: registry.EventDetails{Place: "广东"}})
		cur, _ := e.svc.Get(ctx, p.ID)
		edit := func(change func(f *registry.Fields)) error {
			in := registry.PersonInput{Fields: cur.Fields, Version: cur.Version}
			change(&in.Fields)
			got, err := e.svc.Update(ctx, p.ID, in)
			if err == nil {
				cur = got
			}
			return err
		}
		refused(t, "marital status", edit(func(f *registry.Fields) { f.MaritalStatus = "first_married" }), apperr.Invalid, "marital_status", "登记事件")
		refused(t, "registered division", edit(func(f *registry.Fields) { f.RegisteredDivision = testfix.VillageA2 }), apperr.Invalid, "registered_division", "登记事件")
		if err := edit(func(f *registry.Fields) { f.Name = "卫芳" }); err != nil {
			t.Fatalf("rename: %v", err)
		}
		refused(t, "birth after an event", edit(func(f *registry.Fields) { f.BirthDate = "2013-01-01" }), apperr.Invalid, "", "出生日期")
		if err := edit(func(f *registry.Fields) { f.BirthDate = "1991-02-02" }); err != nil {
			t.Fatalf("birth date: %v", err)
		}
		if st := e.state(t, ctx, p.ID, "1991-02-01"); st.Exists {
			t.Errorf("the edited birth date is not replayed: %+v", st)
		}
		if st := e.state(t, ctx, p.ID, ""); st.AwayPlace != "广东" || st.BirthDate != "1991-02-02" {
			t.Errorf("state after the birth date edit: %+v", st)
		}
	})
}
