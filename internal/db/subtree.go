package db

import "strings"

// Subtree returns a condition matching every materialised path under path
// (path itself included) and its arguments. Paths end in '/', and the next
// byte after '/' is '0', so [path, path-without-slash + "0") is exactly the
// subtree. A range, unlike LIKE 'path%', is served by a plain B-tree index on
// both engines whatever the collation or case-sensitivity settings.
func Subtree(col, path string) (string, []any) {
	lo, hi := SubtreeRange(path)
	return "(" + col + " >= ? AND " + col + " < ?)", []any{lo, hi}
}

// SubtreeRange returns the half-open range [lo, hi) of paths under path.
func SubtreeRange(path string) (lo, hi string) {
	if !strings.HasSuffix(path, "/") {
		path += "/"
	}
	return path, path[:len(path)-1] + "0"
}

// Below returns a condition matching the paths strictly under path (path
// itself excluded) and its arguments.
func Below(col, path string) (string, []any) {
	lo, hi := SubtreeRange(path)
	return "(" + col + " > ? AND " + col + " < ?)", []any{lo, hi}
}

// PersonScope restricts persons aliased a to the subtree of path: a person
// is in an officer's area when either their registered or their residence
// division lies in it. Every capability that reads persons uses this one
// rule, so a person is found (or not) the same way everywhere.
func PersonScope(a, path string) (string, []any) {
	reg, ra := Subtree(a+".reg_path", path)
	res, sa := Subtree(a+".res_path", path)
	return "(" + reg + " OR " + res + ")", append(ra, sa...)
}

// CountyCode is the county code in a materialised path (/34/3415/341523/…),
// or "" for a path above the county level.
func CountyCode(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) >= 3 {
		return parts[2]
	}
	return ""
}
