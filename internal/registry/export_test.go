package registry

// SetSmallArea changes the name-search threshold for a test and returns the undo.
func SetSmallArea(n int) func() {
	old := smallArea
	smallArea = n
	return func() { smallArea = old }
}
