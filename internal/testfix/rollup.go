package testfix

import "strconv"

// RollupRows are person_rollup's counted rows (migration 0019) and
// RollupRecount the same rows recounted from the persons, alike in columns
// and order: tests hold the table the triggers and the bulk loader keep to
// the persons it counts.
const RollupRows = `SELECT depth, path, sex, urban, married, status, birth_month, death_month, n FROM person_rollup
	WHERE n <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8`

// RollupRecount is person_rollup recounted at each of its depths.
var RollupRecount = `SELECT * FROM (` + rollupRecount("0", "reg_path", 7) + ` UNION ALL ` +
	rollupRecount("1", "substr(reg_path, 1, 26)", 7) + ` UNION ALL ` + rollupRecount("2", "substr(reg_path, 1, 26)", 4) +
	` UNION ALL ` + rollupRecount("3", "reg_path", 4) + `) x ORDER BY 1, 2, 3, 4, 5, 6, 7, 8`

func rollupRecount(depth, path string, birth int) string {
	return `SELECT ` + depth + ` AS depth, ` + path + ` AS path, sex,
		CASE WHEN hukou_type = 'non_agricultural' THEN 1 ELSE 0 END AS urban,
		CASE WHEN marital_status IN ('first_married', 'remarried') THEN 1 ELSE 0 END AS married, status,
		COALESCE(substr(birth_date, 1, ` + strconv.Itoa(birth) + `), '') AS birth_month,
		COALESCE(substr(death_date, 1, 7), '') AS death_month, COUNT(*) AS n FROM persons GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`
}
