package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
	"jisheng/internal/registry"
	"jisheng/internal/sheet"
)

// Person file columns, in template order.
const (
	colName = iota
	colSex
	colBirth
	colID
	colEthnicity
	colHukou
	colMarital
	colPhone
	colReg
	colRes
	colHHNo
	colRelation
	colDeath
)

var personColumns = []sheet.Column{
	{Name: "姓名", Required: true},
	{Name: "性别", Required: true},
	{Name: "出生日期", Required: true},
	{Name: "公民身份号码", Required: true},
	{Name: "民族"},
	{Name: "户口性质"},
	{Name: "婚姻状况"},
	{Name: "联系电话"},
	{Name: "户籍地区划代码", Required: true},
	{Name: "现居住地区划代码"},
	{Name: "户编号"},
	{Name: "与户主关系"},
	{Name: "死亡日期"},
}

// personFieldColumns names the file column of each API field, so that a
// reason reads "公民身份号码：校验码错误" rather than naming a JSON field.
var personFieldColumns = map[string]string{
	"name": "姓名", "sex": "性别", "birth_date": "出生日期", "id_number": "公民身份号码", "ethnicity": "民族",
	"hukou_type": "户口性质", "marital_status": "婚姻状况", "phone": "联系电话",
	"registered_division": "户籍地区划代码", "residence_division": "现居住地区划代码",
	"household_no": "户编号", "household_id": "户编号", "relation": "与户主关系",
	"status": "死亡日期", "death_date": "死亡日期",
}

// batchRows is how many rows travel together from the reading goroutine to
// the writing one: large enough for one IN query per batch, small enough to
// keep both goroutines busy.
const batchRows = 1000

// personBatch is rows read, converted and checked on their own.
type personBatch struct {
	lines []int
	cells [][]string
	items []registry.ImportItem
	errs  []error
}

func (r *run) persons(ctx context.Context) error {
	idx, err := sheet.MapHeader(r.rd.Header(), personColumns)
	if err != nil {
		return fileError(err)
	}
	pi := r.im.registry.NewPersonImport(r.pr, r.im.db.Reader())
	pi.Expect(r.expectedRows())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *personBatch, 4)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		readErr <- r.readPersons(ctx, pi, idx, batches)
	}()
	err = r.transact(ctx, func(tx *db.Tx) error {
		defer pi.Close()
		if err := r.writePersons(ctx, tx, pi, batches); err != nil {
			return err
		}
		if err := <-readErr; err != nil {
			return err
		}
		if r.opt.DryRun || r.res.Invalid > 0 {
			return nil
		}
		return pi.Finish(ctx, tx, r.opt.FileName, r.res.Rows)
	})
	if err != nil {
		cancel()
		for range batches {
		}
		return err
	}
	if r.res.Applied {
		r.res.Created, r.res.HouseholdsCreated = pi.Inserted, pi.CreatedHH
	}
	return nil
}

// expectedRows estimates the rows of the file from its size.
func (r *run) expectedRows() int {
	if r.rd.Format() == sheet.XLSX {
		return int(r.size / xlsxBytesPerRow)
	}
	return int(r.size / csvBytesPerRow)
}

// readPersons reads the file, converts each row and checks it on its own.
func (r *run) readPersons(ctx context.Context, pi *registry.PersonImport, idx []int, out chan<- *personBatch) error {
	b := &personBatch{}
	for {
		row, err := r.rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fileError(err)
		}
		cells := slices.Clone(row.Cells)
		var item registry.ImportItem
		in, err := personRow(cells, idx)
		if err == nil && row.Extra {
			err = errors.New("该行在表头以外的列中有内容，请检查是否错列")
		}
		if err == nil {
			item, err = pi.Prepare(ctx, in)
		}
		b.lines, b.cells = append(b.lines, row.Line), append(b.cells, cells)
		b.items, b.errs = append(b.items, item), append(b.errs, err)
		if len(b.lines) == batchRows {
			if !send(ctx, out, b) {
				return ctx.Err()
			}
			b = &personBatch{}
		}
	}
	if len(b.lines) > 0 && !send(ctx, out, b) {
		return ctx.Err()
	}
	return nil
}

func send[T any](ctx context.Context, out chan<- T, v T) bool {
	select {
	case out <- v:
		return true
	case <-ctx.Done():
		return false
	}
}

// writePersons runs the database checks on each batch and, while the file
// has no errors, writes it.
func (r *run) writePersons(ctx context.Context, tx *db.Tx, pi *registry.PersonImport, in <-chan *personBatch) error {
	for b := range in {
		r.res.Rows += len(b.lines)
		ok, okLines, okIdx := validOnly(b)
		errs, err := pi.CheckBatch(ctx, tx, ok, okLines)
		if err != nil {
			return err
		}
		valid := ok[:0]
		for j, e := range errs {
			if e != nil {
				b.errs[okIdx[j]] = e
				continue
			}
			valid = append(valid, ok[j])
			r.res.Valid++
			if len(ok[j].Warnings) > 0 {
				r.res.Warnings++
			}
		}
		for i, e := range b.errs { // in line order
			if e != nil {
				r.res.addError(b.lines[i], b.cells[i], reason(e, personFieldColumns))
			}
		}
		if !r.opt.DryRun && r.res.Invalid == 0 && len(valid) > 0 {
			if err := pi.InsertBatch(ctx, tx, valid); err != nil {
				return err
			}
		}
		r.tick()
	}
	return ctx.Err()
}

// validOnly returns the rows of b that passed the checks on their own.
func validOnly(b *personBatch) (items []registry.ImportItem, lines, index []int) {
	for i, e := range b.errs {
		if e == nil {
			items, lines, index = append(items, b.items[i]), append(lines, b.lines[i]), append(index, i)
		}
	}
	return items, lines, index
}

// personRow converts a row of the file into the registry's codes.
func personRow(cells []string, idx []int) (registry.ImportRow, error) {
	get := func(col int) string {
		if idx[col] < 0 {
			return ""
		}
		return cells[idx[col]]
	}
	var in registry.ImportRow
	var err error
	f := &in.Fields
	f.Name, f.IDNumber, f.Phone = get(colName), get(colID), get(colPhone)
	f.RegisteredDivision, f.ResidenceDivision = get(colReg), get(colRes)
	f.Ethnicity = ethnicity(get(colEthnicity))
	in.HouseholdNo = get(colHHNo)
	if f.BirthDate, err = normaliseDate("birth_date", get(colBirth)); err != nil {
		return in, err
	}
	if f.DeathDate, err = normaliseDate("death_date", get(colDeath)); err != nil {
		return in, err
	}
	if f.DeathDate != "" {
		f.Status = "deceased"
	}
	for _, e := range []struct {
		field string
		col   int
		dst   *string
	}{{"sex", colSex, &f.Sex}, {"hukou_type", colHukou, &f.HukouType}, {"marital_status", colMarital, &f.MaritalStatus},
		{"relation", colRelation, &f.Relation}} {
		if *e.dst, err = registry.ImportCode(e.field, get(e.col)); err != nil {
			return in, err
		}
	}
	return in, nil
}

// ethnicity accepts the short form officers often type ("汉" for "汉族").
func ethnicity(v string) string {
	if v != "" && !strings.HasSuffix(v, "族") && slices.Contains(registry.Ethnicities, v+"族") {
		return v + "族"
	}
	return v
}

// normaliseDate accepts YYYY-MM-DD and the forms spreadsheets turn it into
// (YYYY/M/D, YYYY.MM.DD, YYYYMMDD) and returns YYYY-MM-DD; the registry's
// own checks then judge whether the date is real.
func normaliseDate(field, v string) (string, error) {
	if v == "" || (len(v) == 10 && v[4] == '-' && v[7] == '-') {
		return v, nil
	}
	if len(v) == 8 && allDigits(v) {
		return v[:4] + "-" + v[4:6] + "-" + v[6:], nil
	}
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == '/' || r == '.' || r == '-' })
	if len(parts) == 3 && len(parts[0]) == 4 && allDigits(parts[0]+parts[1]+parts[2]) && len(parts[1]) <= 2 && len(parts[2]) <= 2 {
		return fmt.Sprintf("%s-%02s-%02s", parts[0], parts[1], parts[2]), nil
	}
	return "", apperr.InvalidField(field, "“"+v+"”不是日期，应为 YYYY-MM-DD，如 1990-01-31")
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// reason words an error for the report, naming the column it concerns.
func reason(err error, columns map[string]string) string {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		if col := columns[ae.Field]; col != "" && !strings.HasPrefix(ae.Message, col) {
			return col + "：" + ae.Message
		}
		if ae.Code == apperr.Internal {
			return "系统错误，请联系管理员"
		}
		return ae.Message
	}
	return err.Error()
}
