package registry

import "jisheng/internal/db"

// SeparationQueryForTest returns the page query of a 人户分离 list, for plan checks.
func SeparationQueryForTest(c db.Conn, kind, area string) (string, []any) {
	sel, _ := separationQuery(c, kind, area)
	cond, args, order, _ := separationWhere(kind, area)
	return `SELECT ` + sel.Cols + ` FROM ` + sel.From + ` WHERE ` + cond + ` ORDER BY ` + order + ` LIMIT 20`, args
}
