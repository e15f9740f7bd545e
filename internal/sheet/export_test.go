package sheet

// SetMaxSheetRows changes how many rows a worksheet takes, for a test of a
// file longer than one sheet, and returns the undo.
func SetMaxSheetRows(n int) func() {
	old := maxSheetRows
	maxSheetRows = n
	return func() { maxSheetRows = old }
}
