package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
	"jisheng/internal/registry"
	"jisheng/internal/sheet"
)

// Event file columns, in template order.
const (
	evID = iota
	evName
	evKind
	evDate
	evSex
	evMother
	evFather
	evSpouseID
	evSpouseName
	evPlace
	evCause
	evDivision
	evResidence
	evHHNo
	evRelation
	evEthnicity
	evHukou
	evNote
)

var eventColumns = []sheet.Column{
	{Name: "公民身份号码", Required: true},
	{Name: "姓名", Required: true},
	{Name: "事件类型", Required: true},
	{Name: "事件日期", Required: true},
	{Name: "性别"},
	{Name: "母亲身份号码"},
	{Name: "父亲身份号码"},
	{Name: "配偶身份号码"},
	{Name: "配偶姓名"},
	{Name: "地点"},
	{Name: "原因"},
	{Name: "区划代码"},
	{Name: "现居住地区划代码"},
	{Name: "户编号"},
	{Name: "与户主关系"},
	{Name: "民族"},
	{Name: "户口性质"},
	{Name: "备注"},
}

var eventFieldColumns = map[string]string{
	"id_number": "公民身份号码", "person_id": "公民身份号码", "name": "姓名", "kind": "事件类型", "date": "事件日期",
	"sex": "性别", "mother_id": "母亲身份号码", "father_id": "父亲身份号码", "spouse_id": "配偶身份号码",
	"spouse_name": "配偶姓名", "place": "地点", "cause": "原因", "division": "区划代码",
	"residence_division": "现居住地区划代码", "household_id": "户编号", "household_no": "户编号",
	"relation": "与户主关系", "ethnicity": "民族", "hukou_type": "户口性质", "note": "备注",
}

func eventTemplate() template {
	return template{columns: eventColumns,
		example: []string{"34152319900131001X", "张三", "初婚", "2026-05-01", "", "", "", "", "李四", "", "", "", "", "", "", "", "", ""},
		notes: []string{
			"事件类型填 出生/死亡/初婚/再婚/离婚/丧偶/迁入/迁出/县内迁户/流出/流入/返回/收养；日期写成 YYYY-MM-DD。",
			"除出生外，公民身份号码和姓名指已在系统中的本人，两者须一致；迁入县外新来的人请用人员导入。",
			"出生：公民身份号码为新生儿的号码（尚未办理可留空），姓名、性别为新生儿的；填写母亲身份号码、父亲身份号码、区划代码（户籍地），可填户编号和与户主关系。",
			"初婚/再婚：配偶在系统中时填配偶身份号码，否则填配偶姓名。死亡：可填原因和地点。",
			"迁出、流出填去向（地点）；迁入、流入填来源（地点）和区划代码（本县的村）；返回填区划代码。",
			"登记错了的事件不能用导入删除，请在人员页面上更正或作废。",
		}}
}

// events loads an event file. Each row goes through the registry's event
// rules in order, inside one transaction, so that a row may rely on the
// rows before it (a marriage after a birth); a row that fails is undone
// alone (savepoint) so that the rest of the file is still checked, and the
// transaction commits only when no row failed. A dry run rolls it all back.
func (r *run) events(ctx context.Context) error {
	idx, err := sheet.MapHeader(r.rd.Header(), eventColumns)
	if err != nil {
		return fileError(err)
	}
	body := func(tx *db.Tx) error {
		for {
			row, err := r.rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return fileError(err)
			}
			r.res.Rows++
			cells := slices.Clone(row.Cells)
			if err := r.eventRow(ctx, tx, row, cells, idx); err != nil {
				if apperr.CodeOf(err) == apperr.Internal {
					return err
				}
				r.res.addError(row.Line, cells, reason(err, eventFieldColumns))
				continue
			}
			r.res.Valid++
			r.tick()
		}
		if r.opt.DryRun || r.res.Invalid > 0 {
			return errRollback
		}
		return r.im.registry.JournalEventImport(ctx, tx, r.opt.FileName, r.res.Rows)
	}
	err = r.im.db.Tx(ctx, body)
	if errors.Is(err, errRollback) {
		return nil
	}
	if err == nil {
		r.res.Applied, r.res.Created = true, r.res.Valid
	}
	return err
}

// eventRow records one row between a savepoint and its release.
func (r *run) eventRow(ctx context.Context, tx *db.Tx, row sheet.Row, cells []string, idx []int) error {
	if row.Extra {
		return errors.New("该行在表头以外的列中有内容，请检查是否错列")
	}
	if _, err := tx.Exec(ctx, `SAVEPOINT import_row`); err != nil {
		return apperr.Wrap(err, "savepoint")
	}
	in, err := r.eventInput(ctx, tx, cells, idx)
	if err == nil {
		var ev registry.Event
		ev, err = r.im.registry.ApplyEvent(ctx, tx, r.pr, in)
		if err == nil && len(ev.Warnings) > 0 {
			r.res.Warnings++
		}
	}
	if err != nil {
		if _, rerr := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT import_row`); rerr != nil {
			return apperr.Wrap(rerr, "rollback to savepoint")
		}
	}
	if _, rerr := tx.Exec(ctx, `RELEASE SAVEPOINT import_row`); rerr != nil {
		return apperr.Wrap(rerr, "release savepoint")
	}
	return err
}

// eventInput turns a row into an event, finding the persons and the
// household it names by their numbers.
func (r *run) eventInput(ctx context.Context, tx *db.Tx, cells []string, idx []int) (registry.EventInput, error) {
	get := func(col int) string { return cell(cells, idx[col]) }
	var in registry.EventInput
	var err error
	if in.Kind, err = registry.ImportCode("kind", get(evKind)); err != nil {
		return in, err
	}
	if in.Kind == "" {
		return in, apperr.InvalidField("kind", "请填写事件类型")
	}
	if in.Kind == registry.KindVoid {
		return in, apperr.InvalidField("kind", "作废事件请在人员页面上操作")
	}
	if in.Date, err = normaliseDate("date", get(evDate)); err != nil {
		return in, err
	}
	d := &in.EventDetails
	d.Place, d.Cause, d.SpouseName, d.Note = get(evPlace), get(evCause), get(evSpouseName), get(evNote)
	d.Division, d.ResidenceDivision, d.Ethnicity = get(evDivision), get(evResidence), ethnicity(get(evEthnicity))
	if d.HukouType, err = registry.ImportCode("hukou_type", get(evHukou)); err != nil {
		return in, err
	}
	if d.Relation, err = registry.ImportCode("relation", get(evRelation)); err != nil {
		return in, err
	}
	if err := r.eventPersons(ctx, tx, &in, get); err != nil {
		return in, err
	}
	if no := get(evHHNo); no != "" {
		id, err := r.im.registry.HouseholdByNo(ctx, tx.Conn, r.pr, no)
		if err != nil {
			return in, err
		}
		d.HouseholdID = &id
	}
	return in, nil
}

// eventPersons fills the persons an event names: the subject (or, for a
// birth, the newborn's own fields), the parents and the spouse.
func (r *run) eventPersons(ctx context.Context, tx *db.Tx, in *registry.EventInput, get func(int) string) error {
	d := &in.EventDetails
	var err error
	if in.Kind == registry.KindBirth {
		d.Name, in.IDNumber = get(evName), get(evID)
		if d.Sex, err = registry.ImportCode("sex", get(evSex)); err != nil {
			return err
		}
	} else if err := r.subject(ctx, tx, in, get(evID), get(evName)); err != nil {
		return err
	}
	for _, p := range []struct {
		col   int
		field string
		dst   **int64
	}{{evMother, "mother_id", &d.MotherID}, {evFather, "father_id", &d.FatherID}, {evSpouseID, "spouse_id", &d.SpouseID}} {
		number := get(p.col)
		if number == "" {
			continue
		}
		id, _, err := r.im.registry.PersonByIDNumber(ctx, tx.Conn, r.pr, number)
		if err != nil {
			return relabel(err, p.field)
		}
		*p.dst = &id
	}
	return nil
}

// subject finds the person an event is about and checks the name given in
// the file against the registry, to catch a mistyped ID number that
// happens to belong to someone else.
func (r *run) subject(ctx context.Context, tx *db.Tx, in *registry.EventInput, number, name string) error {
	if number == "" {
		return apperr.InvalidField("id_number", "请填写本人的公民身份号码")
	}
	id, registered, err := r.im.registry.PersonByIDNumber(ctx, tx.Conn, r.pr, number)
	if err != nil {
		return err
	}
	if name != registered {
		return apperr.InvalidField("name", fmt.Sprintf("与系统中该身份证号人员的姓名（%s）不一致", registered))
	}
	in.PersonID = id
	return nil
}

// relabel moves an error onto another field, so that the report names the right column.
func relabel(err error, field string) error {
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Field != "" {
		return &apperr.Error{Code: ae.Code, Field: field, Message: ae.Message}
	}
	return err
}
