package registry

// SetSmallArea changes the name-search threshold for a test and returns the undo.
func SetSmallArea(n int) func() {
	old := smallArea
	smallArea = n
	return func() { smallArea = old }
}

// SetBulkIndexThreshold lowers the size of load that rebuilds the person
// indexes, so that a test can take that path with a few rows.
func SetBulkIndexThreshold(n int) (restore func()) {
	old := bulkIndexThreshold
	bulkIndexThreshold = n
	return func() { bulkIndexThreshold = old }
}
